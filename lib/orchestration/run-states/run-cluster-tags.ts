/** Tag every run's cluster carries; the state machine may only act on clusters of its own stage. */
export const STAGE_TAG = 'bank-pipeline:stage';
export const RUN_ID_TAG = 'bank-pipeline:run-id';
