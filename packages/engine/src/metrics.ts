/**
 * What the engine reports as it works. The engine only counts; whoever runs it (the server)
 * decides how to expose the numbers, so the engine never depends on a metrics library.
 */
export interface EngineMetrics {
  /** One step batch took `seconds` and moved contacts through `steps` tiles. */
  stepBatch(steps: number, seconds: number): void;
  /** Journey rows added by admission (admitted or excluded). */
  contactsAdmitted(count: number): void;
  /** A workflow call failed; `willRetry` is false once it was given up for good. */
  workflowCallFailed(willRetry: boolean): void;
}

/** For a worker nobody watches (tests, scripts). */
export const noMetrics: EngineMetrics = {
  stepBatch() {},
  contactsAdmitted() {},
  workflowCallFailed() {},
};
