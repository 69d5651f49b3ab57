import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as redshiftserverless from 'aws-cdk-lib/aws-redshiftserverless';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { acknowledgeLookupFunction } from '../shared/aws-custom-resource-lookup';
import { encryptedLogGroup } from '../shared/encrypted-log-group';
import { ManagedPolicyRole } from '../shared/managed-policy-role';

export interface ServerlessAdminSecretLookupProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  /** A namespace with ManageAdminPassword: Redshift creates and rotates its admin secret. */
  readonly namespace: redshiftserverless.CfnNamespace;
}

/** Path of the admin secret's ARN in the GetNamespace response (Redshift Serverless API Reference, Namespace). */
const SECRET_ARN_PATH = 'namespace.adminPasswordSecretArn';

/**
 * The ARN of the admin secret Redshift Serverless manages for a namespace (ManageAdminPassword).
 * CloudFormation returns no such attribute for AWS::RedshiftServerless::Namespace (aws-cdk issue
 * 29930, waiting on CloudFormation), so a custom resource reads it at deploy time with
 * `redshift-serverless:GetNamespace` on this one namespace. The ARN is then a deploy-time value:
 * an IAM policy can name exactly that secret. CDK's AwsCustomResource Lambda runs outside the VPC
 * and calls only the regional Redshift Serverless API.
 */
export class ServerlessAdminSecretLookup extends Construct {
  /** ARN of the Redshift-managed admin secret (a deploy-time token). */
  readonly secretArn: string;

  constructor(scope: Construct, id: string, props: ServerlessAdminSecretLookupProps) {
    super(scope, id);
    const logGroup = encryptedLogGroup(this, 'LookupLogs', { config: props.config, dataKey: props.dataKey });
    const role = new ManagedPolicyRole(this, 'LookupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reads the ARN of the Redshift-managed admin secret of the namespace at deploy time',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOwnNamespace',
        actions: ['redshift-serverless:GetNamespace'],
        resources: [props.namespace.attrNamespaceNamespaceArn],
      }),
    );
    logGroup.grantWrite(role);

    const lookup: cr.AwsSdkCall = {
      service: 'RedshiftServerless',
      action: 'getNamespace',
      parameters: { namespaceName: props.namespace.namespaceName },
      physicalResourceId: cr.PhysicalResourceId.of(`admin-secret:${props.namespace.namespaceName}`),
      outputPaths: [SECRET_ARN_PATH],
    };
    const resource = new cr.AwsCustomResource(this, 'Lookup', {
      resourceType: 'Custom::RedshiftAdminSecretArn',
      onCreate: lookup,
      onUpdate: lookup,
      role: role.withoutPolicyUpdates(),
      logGroup,
      installLatestAwsSdk: false,
    });
    resource.node.addDependency(props.namespace, role.permissionsPolicy);
    this.secretArn = resource.getResponseField(SECRET_ARN_PATH);
    acknowledgeLookupFunction(this, {
      lookup: 'admin secret lookup',
      outsideVpc:
        'Deploy-time lookup of the admin secret ARN: it calls only the regional Redshift Serverless API (GetNamespace on this namespace), reads no secret value and runs only when CloudFormation creates or updates the lookup',
      withoutVpcEndpoint:
        'Calls only the regional Redshift Serverless API (GetNamespace) at deploy time, from outside the VPC like every AwsCustomResource lookup of this app',
    });
  }
}
