import { describe, expect, it } from 'vitest';
import { ASSET_HASH, CONTENT_HASH, normalizeTemplate } from './normalize-template';

const HASH_A = 'a12efc822af4855efaddc35cac5d42dfa7a132ded579c17dbca95a4a89d0db43';
const HASH_B = '0dbcd47fa67e1ae79c90c0bad9b5ffeb79aad3b22931491247f5a1c45aaac700';
/** A bucket deployment handler's logical id: a fixed uuid and two construct addresses, stable across edits. */
const DEPLOYMENT_HANDLER_ID =
  'CustomCDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiBc8892369e27f39710ced47d9047d0f4bad88fe0781c8a467b922592551299101b1dd742439598d32d2076D7EA5F2';

/** A template shaped like the synthesized ones, with the given asset hash and SQL hash. */
function templateWith(assetHash: string, sqlHash: string): Record<string, unknown> {
  return {
    Parameters: {
      BootstrapVersion: {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: '/cdk-bootstrap/hnb659fds/version',
      },
    },
    Resources: {
      [DEPLOYMENT_HANDLER_ID]: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: {
            S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
            S3Key: `${assetHash}.zip`,
          },
          Handler: 'index.handler',
          MemorySize: 256,
        },
      },
      HandlerPolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          PolicyDocument: {
            Statement: [
              {
                Action: ['s3:GetObject'],
                Effect: 'Allow',
                Resource: `arn:aws:s3:::cdk-hnb659fds-assets-111111111111-eu-central-1/${assetHash}.zip`,
              },
            ],
          },
        },
      },
      Deployment: {
        Type: 'Custom::CDKBucketDeployment',
        Properties: {
          SourceObjectKeys: [`${assetHash}.zip`],
          DestinationBucketKeyPrefix: 'spark-jobs/atm/',
        },
      },
      Schema: {
        Type: 'Custom::WarehouseSchema',
        Properties: { SqlHash: sqlHash, Database: 'dev' },
      },
      SecurityConfiguration: {
        Type: 'AWS::Glue::SecurityConfiguration',
        Properties: { Name: 'dev-bankpipe-a688eba8' },
      },
    },
  };
}

describe('normalizeTemplate', () => {
  it('replaces asset hashes in S3 keys, asset ARNs and deployment sources, and the SQL hash', () => {
    const normalized = normalizeTemplate(templateWith(HASH_A, 'c85d20ecb821545d')) as ReturnType<
      typeof templateWith
    >;
    const resources = normalized.Resources as Record<string, { Properties: Record<string, unknown> }>;
    expect(resources[DEPLOYMENT_HANDLER_ID]?.Properties.Code).toEqual({
      S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
      S3Key: `${ASSET_HASH}.zip`,
    });
    expect(JSON.stringify(resources.HandlerPolicy)).toContain(
      `arn:aws:s3:::cdk-hnb659fds-assets-111111111111-eu-central-1/${ASSET_HASH}.zip`,
    );
    expect(resources.Deployment?.Properties.SourceObjectKeys).toEqual([`${ASSET_HASH}.zip`]);
    expect(resources.Schema?.Properties).toEqual({ SqlHash: CONTENT_HASH, Database: 'dev' });
    expect(JSON.stringify(normalized)).not.toContain(HASH_A);
  });

  it('gives the same result for two builds that differ only in asset contents', () => {
    expect(normalizeTemplate(templateWith(HASH_A, 'c85d20ecb821545d'))).toEqual(
      normalizeTemplate(templateWith(HASH_B, '0123456789abcdef')),
    );
  });

  it('keeps everything else as synthesized: logical ids, names, policies, numbers', () => {
    const template = templateWith(HASH_A, 'c85d20ecb821545d');
    const normalized = normalizeTemplate(template) as typeof template;
    expect(Object.keys(normalized.Resources as object)).toEqual(Object.keys(template.Resources as object));
    const expected = JSON.parse(
      JSON.stringify(template).replaceAll(HASH_A, ASSET_HASH).replace('c85d20ecb821545d', CONTENT_HASH),
    ) as unknown;
    expect(normalized).toEqual(expected);
  });

  it('shows a change to the infrastructure', () => {
    const changed = JSON.parse(
      JSON.stringify(templateWith(HASH_A, 'c85d20ecb821545d')).replace(
        '"MemorySize":256',
        '"MemorySize":512',
      ),
    ) as unknown;
    expect(JSON.stringify(changed)).toContain('"MemorySize":512');
    expect(normalizeTemplate(changed)).not.toEqual(
      normalizeTemplate(templateWith(HASH_A, 'c85d20ecb821545d')),
    );
  });

  it('leaves a longer hex run alone (it is an id, not an asset hash)', () => {
    const id = `${HASH_A}0`;
    expect(normalizeTemplate({ Value: id, Other: `x${HASH_A}` })).toEqual({ Value: id, Other: `x${HASH_A}` });
  });

  it('replaces names derived from asset hashes, as keys and in Ref', () => {
    const parameter = `AssetParameters${HASH_A}S3Bucket1A2B3C4D`;
    const version = `HandlerCurrentVersion1A2B3C4D${'0123456789abcdef'.repeat(2)}`;
    expect(
      normalizeTemplate({
        Parameters: { [parameter]: { Type: 'String' } },
        Resources: { [version]: { Type: 'AWS::Lambda::Version' } },
        Outputs: { Bucket: { Value: { Ref: parameter } }, Version: { Value: { Ref: version } } },
      }),
    ).toEqual({
      Parameters: { [`AssetParameters${ASSET_HASH}S3Bucket`]: { Type: 'String' } },
      Resources: { [`HandlerCurrentVersion1A2B3C4D${ASSET_HASH}`]: { Type: 'AWS::Lambda::Version' } },
      Outputs: {
        Bucket: { Value: { Ref: `AssetParameters${ASSET_HASH}S3Bucket` } },
        Version: { Value: { Ref: `HandlerCurrentVersion1A2B3C4D${ASSET_HASH}` } },
      },
    });
  });

  it('refuses to merge two keys that differ only in a hash', () => {
    expect(() =>
      normalizeTemplate({
        Resources: {
          [`FnCurrentVersion1A2B3C4D${'a'.repeat(32)}`]: {},
          [`FnCurrentVersion1A2B3C4D${'b'.repeat(32)}`]: {},
        },
      }),
    ).toThrow(/both become "FnCurrentVersion1A2B3C4D\[ASSET_HASH\]"/);
  });
});
