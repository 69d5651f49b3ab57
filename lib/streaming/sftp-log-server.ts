import { SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as transfer from 'aws-cdk-lib/aws-transfer';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import { acknowledgeWildcardResource } from '../shared/nag-acknowledgements';
import { accountServicePrincipal } from '../shared/account-service-principal';

/** Transfer Family's newest SFTP policy at the time of writing: no SHA-1, no CBC, no small DH groups. */
export const TRANSFER_SECURITY_POLICY = 'TransferSecurityPolicy-2024-01';
/** The Transfer Family user the source connector logs in as. */
export const CONNECTOR_SFTP_USER = 'msk-connect-source';

export interface SftpLogServerProps {
  readonly vpc: ec2.IVpc;
  /** Private subnets of the server's VPC endpoint. */
  readonly subnets: ec2.SubnetSelection;
  /** Allows port 22 from MSK Connect only. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The S3 bucket behind the server (the log files land here). */
  readonly landingBucket: s3.IBucket;
  /** Directory the transaction logs are dropped in, e.g. '/transactions/incoming'. */
  readonly inputDir: string;
  readonly dataKey: kms.IKey;
  /** Structured server logs. */
  readonly logGroup: logs.ILogGroup;
  /** Name of the connection secret created for the connector. */
  readonly secretName: string;
}

/**
 * The SFTP log server as an AWS Transfer Family server: VPC endpoint in the
 * private subnets (reachable from MSK Connect only), SFTP only with a modern
 * security policy, structured logs to CloudWatch, files stored in the landing
 * bucket, and a service-managed user for the source connector confined to the
 * input directory.
 *
 * The connector's connection secret is created here with the server's host,
 * port and user name. Service-managed Transfer users log in with SSH keys, not
 * passwords, so an operator adds `privateKey` and `knownHosts` to the secret
 * and imports the matching public key into the user (see the README).
 */
export class SftpLogServer extends Construct {
  readonly server: transfer.CfnServer;
  readonly user: transfer.CfnUser;
  readonly secret: secretsmanager.Secret;
  /** Host name of the server inside the VPC. */
  readonly host: string;

  constructor(scope: Construct, id: string, props: SftpLogServerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!props.inputDir.startsWith('/')) {
      throw new Error(
        `SftpLogServer: inputDir '${props.inputDir}' must be an absolute path like '/transactions/incoming'`,
      );
    }

    this.server = new transfer.CfnServer(this, 'Server', {
      endpointType: 'VPC',
      endpointDetails: {
        vpcId: props.vpc.vpcId,
        subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
        securityGroupIds: [props.securityGroup.securityGroupId],
      },
      protocols: ['SFTP'],
      domain: 'S3',
      identityProviderType: 'SERVICE_MANAGED',
      securityPolicyName: TRANSFER_SECURITY_POLICY,
      structuredLogDestinations: [props.logGroup.logGroupArn],
    });
    this.host = `${this.server.attrServerId}.server.transfer.${stack.region}.${stack.urlSuffix}`;

    // The connector reads, moves (into <inputDir>/processed) and deletes files, only under the input directory.
    const folder = props.inputDir.replace(/^\/+|\/+$/g, '');
    const inputObjects = props.landingBucket.arnForObjects(`${folder}/*`);
    const userRole = new ManagedPolicyRole(this, 'UserRole', {
      description: `Transfer Family user ${CONNECTOR_SFTP_USER}: the SFTP input directory in the landing bucket`,
      assumedBy: accountServicePrincipal(this, 'transfer.amazonaws.com'),
    });
    userRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListTheInputDirectory',
        actions: ['s3:ListBucket'],
        resources: [props.landingBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [folder, `${folder}/*`] } },
      }),
    );
    userRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAndMoveInputFiles',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [inputObjects],
      }),
    );
    userRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LandingBucketKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.dataKey.keyArn],
      }),
    );
    acknowledgeWildcardResource(
      userRole.permissionsPolicy,
      inputObjects,
      `Transaction log files arrive under ${props.inputDir} with names chosen by the log shippers; the connector may only read, move and delete there`,
    );

    this.user = new transfer.CfnUser(this, 'ConnectorUser', {
      serverId: this.server.attrServerId,
      userName: CONNECTOR_SFTP_USER,
      role: userRole.roleArn,
      homeDirectoryType: 'LOGICAL',
      homeDirectoryMappings: [{ entry: '/', target: `/${props.landingBucket.bucketName}` }],
    });
    this.user.node.addDependency(userRole.permissionsPolicy);

    this.secret = new secretsmanager.Secret(this, 'ConnectionSecret', {
      secretName: props.secretName,
      description: `SFTP connection of the MSK Connect source: Transfer Family server, user ${CONNECTOR_SFTP_USER}. Add privateKey and knownHosts.`,
      encryptionKey: props.dataKey,
      // Host, port and user name are not secret; the private key is added by an operator, never by this template.
      secretObjectValue: {
        host: SecretValue.unsafePlainText(this.host),
        port: SecretValue.unsafePlainText('22'),
        username: SecretValue.unsafePlainText(CONNECTOR_SFTP_USER),
      },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds the SSH key of the Transfer Family connector user: it is rotated by importing a new public key into the user and updating this secret; Secrets Manager has no rotation function for Transfer SSH keys',
    });
  }
}
