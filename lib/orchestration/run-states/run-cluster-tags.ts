import { PROJECT_SLUG } from '../../shared/pipeline-layout';

/** Tag every run's cluster carries; the state machine may only act on clusters of its own stage. */
export const STAGE_TAG = `${PROJECT_SLUG}:stage`;
export const RUN_ID_TAG = `${PROJECT_SLUG}:run-id`;
