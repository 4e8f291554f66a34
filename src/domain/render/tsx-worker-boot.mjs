// Starts the render worker from TypeScript source (npm start through tsx, and the tests): tsx's loader is not
// inherited by worker threads, so this registers it and then imports the .ts entry. The built dist/ starts the
// compiled render-worker.js directly and never uses this file.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
