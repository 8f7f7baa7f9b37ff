# The commands of docs/writing-a-teacher.md, one section per code block of
# the tutorial (the document includes each section verbatim, and
# tests/integration/check_doc_blocks.py checks that it does).  The reader
# types them; tests/integration/install_sdk.sh runs every section in order
# with HOME set to a temporary directory holding a copy of the source tree in
# ~/teachkit, after writing lp_bandit.c and study.json where the tutorial
# says to.  Not a script to run as a whole.

# [install]
cd ~/teachkit
meson setup build-install --buildtype=release -Dtests=false --prefix="$HOME/.local"
meson install -C build-install
export PATH="$HOME/.local/bin:$PATH"
export PKG_CONFIG_PATH="$HOME/.local/lib/pkgconfig"
teachkit --version
pkg-config --cflags --libs teachkit
# [end]

# [new]
cd ~
teachkit new teacher lp-bandit
# [end]

# [build]
cd ~/lp-bandit
meson setup build
ninja -C build
meson test -C build
# [end]

# [cc]
cc -std=c17 -O2 -Wall -Wextra -shared -fPIC -fvisibility=hidden lp_bandit.c -o lp_bandit.so \
    $(pkg-config --cflags --libs teachkit)
TEACHKIT_PLUGIN_PATH=$PWD/lp_bandit.so teachkit validate lp_bandit.json
# [end]

# [list]
export TEACHKIT_PLUGIN_PATH=$PWD/build
teachkit list | grep lp-bandit
teachkit list --config | grep -A 6 '^teacher  *lp-bandit'
# [end]

# [run]
teachkit run lp_bandit.json --out runs/lp-bandit --quiet
cat runs/lp-bandit/evals.jsonl
# [end]

# [study]
unset TEACHKIT_PLUGIN_PATH
teachkit study study.json --jobs 2 --out studies/lp-vs-alp --baseline alp-gmm
# [end]

# [report]
teachkit report studies/lp-vs-alp --baseline alp-gmm
ls studies/lp-vs-alp
head -n 3 studies/lp-vs-alp/curves.csv
# [end]

# [python]
export PYTHONPATH="$HOME/.local/share/teachkit/python"
python3 - <<'EOF'
import teachkit
env = teachkit.Env("toy-grid", seed=1)
teacher = teachkit.Teacher("build/lp_bandit.so", env.task_space, config={"epsilon": 0.25}, seed=1)
for episode in range(5000):
    task = teacher.sample()
    env.set_task(task)
    env.reset()
    _, reward, _ = env.step()
    teacher.update(task, env.normalise_return(reward), env.success(reward))
print("mastered_pct after 5000 episodes:", env.evaluate())
EOF
# [end]
