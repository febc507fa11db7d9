import { loadConfig } from '../infra/config.js';
import { createWorker } from './create-worker.js';
import { ensureSchedulesFromConfig } from './schedules.js';

/** Runs the path worker until SIGINT/SIGTERM, then drains and exits. */
const config = loadConfig();
const worker = await createWorker(config);
await ensureSchedulesFromConfig(config);
process.stdout.write(`worker: polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}\n`);
await worker.run();
