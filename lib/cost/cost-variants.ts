/** A stage's settings as cdk.json holds them, by domain. */
export type StageSettingsJson = Record<string, Record<string, unknown>>;

/**
 * Stage settings the README also prices, beside the stages as cdk.json has
 * them: each is a stage with some settings changed, synthesized and priced
 * the same way (its idle month is what the README shows).
 */
export interface CostVariant {
  /** How the README names it, e.g. `dev with liveAlerts on`. */
  readonly name: string;
  readonly stage: string;
  /** The stage's cdk.json settings with the change made (the argument is a copy to change). */
  readonly adjust: (settings: StageSettingsJson) => StageSettingsJson;
}

/** Endpoints the live-alerts consumer's clients call (lib/config/interface-endpoints.ts refuses a list without them). */
const LIVE_ALERTS_ENDPOINTS = ['sns', 'sts'];

export const COST_VARIANTS: readonly CostVariant[] = [
  {
    name: 'dev with liveAlerts on',
    stage: 'dev',
    adjust: (settings) => {
      const network = settings.network ?? {};
      const endpoints = network.interfaceEndpoints;
      return {
        ...settings,
        liveAlerts: { ...settings.liveAlerts, enabled: true },
        // A stage listing its endpoints must list the consumer's too; an unset list already has every endpoint.
        network: Array.isArray(endpoints)
          ? {
              ...network,
              interfaceEndpoints: [...new Set([...(endpoints as string[]), ...LIVE_ALERTS_ENDPOINTS])],
            }
          : network,
      };
    },
  },
];
