/*
 * The MPI launcher of `teachkit study --mpi` (optional build feature
 * `-Dmpi=enabled`, Open MPI): under `mpirun -n K`, rank 0 lays out the
 * study directory, every rank runs the runs whose index is congruent to its
 * rank modulo K (each in its own worker process, as without MPI), and rank
 * 0 writes the report once all ranks are done.  Results land in the same
 * directory layout as a local study.
 */
#ifndef TK_HOST_STUDY_MPI_H
#define TK_HOST_STUDY_MPI_H

/* 1 if this build has MPI. */
int tk_mpi_available(void);
/* MPI_Init; writes this process's rank and the number of ranks. */
int tk_mpi_start(int *argc, char ***argv, int *rank, int *size);
void tk_mpi_barrier(void);
/* The largest `value` over all ranks. */
long tk_mpi_max(long value);
/* 1 on every rank if `value` is non-zero on rank 0. */
int tk_mpi_broadcast_flag(int value);
void tk_mpi_stop(void);

#endif
