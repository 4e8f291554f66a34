# Tugboat's image: built with the dev dependencies, run with the production ones only.
#   docker build -t tugboat .
# The runtime stage runs `node dist/main.js` as the unprivileged `node` user (uid 1000) and writes nothing to its
# filesystem, so it runs with readOnlyRootFilesystem (deploy/base/deployment.yaml). CI cannot build images; the same
# steps are checked without Docker by test/production/production-build.check.ts (.ci/run).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# The development sandbox (packages/sandbox, a workspace and a dev dependency) is not copied: npm ci links a folder
# that is not there and `npm prune --omit=dev` removes the link, so the image holds no sandbox.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# A 1 MB young generation (V8's default grows it to 16 MB per semi-space): under sustained commands RSS stays near
# idle instead of growing by 50-100 MB, at the cost of more frequent, shorter scavenges. An old generation of at most
# 256 MB: V8 then lets the heap grow only 1.3 times past what is live before collecting (on a machine with GBs of
# memory it allows 4 times), so under load the heap stays near what is live: peak RSS 125 MB instead of 227-238 MB
# under the same 2,000 commands (docs/benchmarks.md, Memory). The bot's live heap stays far below it.
ENV NODE_OPTIONS="--max-semi-space-size=1 --max-old-space-size=256"
# Two glibc malloc arenas instead of one per thread and core: native memory freed after big replies is reused
# instead of staying spread over arenas (RSS after a load: 183 MB instead of 232 MB in the same measurement).
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
# package.json marks the project root (ESM, and where config/ is found); config/kubernetes holds the review-lab
# fallback templates. Everything stays owned by root: the process cannot change its own code.
COPY package.json ./
COPY config/kubernetes ./config/kubernetes
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 1000:1000
EXPOSE 3000
# The config file comes from the ConfigMap (deploy/base), mounted at /etc/tugboat.
ENV TUGBOAT_CONFIG=/etc/tugboat/tugboat.yaml
# WebAssembly stays on V8's baseline compiler (Liftoff). Its only WebAssembly is undici's HTTP parser (llhttp), behind
# the fetch that the Slack and GitHub clients use; after a few responses V8 re-compiles its 29 KB parse function with
# TurboFan on a worker thread, which takes 24 MB of malloc'd memory for half a second. glibc keeps much of that once a
# live allocation lands above it: idle RSS was 82-93 MB or, one start in three, 100-117 MB (docs/benchmarks.md,
# "Where the memory went"). Not allowed in NODE_OPTIONS, so here.
ENTRYPOINT ["node", "--no-wasm-dynamic-tiering", "--no-wasm-tier-up", "dist/main.js"]
