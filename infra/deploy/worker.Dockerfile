# The worker's image (infra/deploy/stack.ts builds it with `cdk deploy`, context: the repository).
# UNTESTED: no Docker engine runs where this project is developed, so this file has never been
# built (README, "Deployment as code"). The ECS task definition sets the same command and
# environment from worker/launch.ts; tests/infra-deploy.test.ts checks that the two agree.

# Build: the whole toolchain (tsx, esbuild) to write dist/worker.js and dist/workflow-bundle.js.
# --ignore-scripts: the project runs no dependency's install script (package.json "allowScripts").
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

# Run: production dependencies only, the built files, and workflows/ (create-worker.ts resolves
# workflows/index.ts from dist/ when it loads, even with a prebuilt bundle).
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY infra/patches ./infra/patches
# The SDK patch (infra/patches) is the one install step the worker needs: --ignore-scripts skips it.
RUN npm ci --omit=dev --ignore-scripts && ./node_modules/.bin/patch-package --patch-dir infra/patches --error-on-fail && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY workflows ./workflows
USER node
ENV MALLOC_ARENA_MAX=2 WORKFLOW_BUNDLE_PATH=dist/workflow-bundle.js
ENTRYPOINT ["node"]
CMD ["--max-old-space-size=192", "--max-semi-space-size=8", "dist/worker.js"]
