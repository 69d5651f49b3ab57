import supportData from './az-support.json';

/**
 * Which AZ IDs MSK and Redshift Serverless accept, per region, as AWS documents
 * them (az-support.json: the source page and the date it was read). A region
 * absent from a list means "nothing recorded", not "everything supported".
 */
export interface AzSupport {
  readonly checked: string;
  readonly msk: {
    readonly source: string;
    /** Regions where a cluster takes exactly this many subnets (AZs). */
    readonly exactAzCount: Readonly<Record<string, number>>;
    readonly unsupportedAzIds: Readonly<Record<string, readonly string[]>>;
  };
  readonly redshiftServerless: {
    readonly source: string;
    readonly supportedAzIds: Readonly<Record<string, readonly string[]>>;
  };
}

export const AZ_SUPPORT: AzSupport = supportData;
