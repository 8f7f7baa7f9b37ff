#include "study_mpi.h"

#ifdef TK_HAVE_MPI
#include <mpi.h>

int tk_mpi_available(void) { return 1; }

int tk_mpi_start(int *argc, char ***argv, int *rank, int *size)
{
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return -1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void tk_mpi_barrier(void) { MPI_Barrier(MPI_COMM_WORLD); }

long tk_mpi_max(long value)
{
    long out = value;
    MPI_Allreduce(&value, &out, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

int tk_mpi_broadcast_flag(int value)
{
    MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return value;
}

void tk_mpi_stop(void) { MPI_Finalize(); }

#else

int tk_mpi_available(void) { return 0; }
int tk_mpi_start(int *argc, char ***argv, int *rank, int *size)
{
    (void)argc, (void)argv;
    *rank = 0;
    *size = 1;
    return -1;
}
void tk_mpi_barrier(void) {}
long tk_mpi_max(long value) { return value; }
int tk_mpi_broadcast_flag(int value) { return value; }
void tk_mpi_stop(void) {}

#endif
