/**
 * Where the statements run and as whom (Redshift Data API, "Authorizing access to the Data API"):
 * - serverless workgroup, no secret: the database user is the caller's IAM identity
 *   (`IAMR:<role name>`, temporary credentials from redshift-serverless:GetCredentials);
 * - serverless workgroup with a secret: the user and password in that secret;
 * - provisioned cluster with a database user: temporary credentials for that user
 *   (redshift:GetClusterCredentials), no password anywhere;
 * - provisioned cluster with a secret: the user and password in that secret.
 */
export interface WarehouseTarget {
  readonly database: string;
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
  /** Provisioned only: the database user the Data API gets temporary credentials for. */
  readonly dbUser?: string;
  /** Secrets Manager secret with the user and password, when the target is not an IAM login. */
  readonly secretArn?: string;
}

/** One SQL file: its statements run as one BatchExecuteStatement (one transaction). */
export interface SqlFileBatch {
  readonly name: string;
  readonly statements: string[];
}

/** What the stack passes to the custom resource (ResourceProperties, minus ServiceToken). */
export interface SchemaRequest {
  readonly target: WarehouseTarget;
  readonly sqlFiles: SqlFileBatch[];
  /** Hash of the SQL; only there so that a SQL change is an update of the resource. */
  readonly sqlHash: string;
}

/**
 * Validates the custom resource's properties. CloudFormation hands them over
 * as untyped JSON; a mistake in the stack must fail the deployment with a
 * message that names the property, not with a Data API error later.
 */
export function parseSchemaRequest(properties: Record<string, unknown>): SchemaRequest {
  const target = requireObject(properties.Target, 'Target');
  const database = requireString(target.Database, 'Target.Database');
  const workgroupName = optionalString(target.WorkgroupName, 'Target.WorkgroupName');
  const clusterIdentifier = optionalString(target.ClusterIdentifier, 'Target.ClusterIdentifier');
  const dbUser = optionalString(target.DbUser, 'Target.DbUser');
  const secretArn = optionalString(target.SecretArn, 'Target.SecretArn');
  if ((workgroupName === undefined) === (clusterIdentifier === undefined)) {
    throw new Error(
      'Target needs exactly one of WorkgroupName (serverless) or ClusterIdentifier (provisioned)',
    );
  }
  if (dbUser !== undefined && secretArn !== undefined) {
    throw new Error('Target takes DbUser (temporary credentials) or SecretArn, not both');
  }
  if (workgroupName !== undefined && dbUser !== undefined) {
    throw new Error(
      "Target.DbUser is for a provisioned cluster only: on a serverless workgroup the Data API signs in as the caller's IAM identity; remove DbUser",
    );
  }
  if (clusterIdentifier !== undefined && dbUser === undefined && secretArn === undefined) {
    throw new Error(
      'A provisioned Target needs DbUser (temporary credentials through redshift:GetClusterCredentials) or SecretArn',
    );
  }
  if (!Array.isArray(properties.SqlFiles) || properties.SqlFiles.length === 0) {
    throw new Error('SqlFiles must be a non-empty list of { Name, Statements }');
  }
  const sqlFiles = properties.SqlFiles.map((raw, index) => {
    const file = requireObject(raw, `SqlFiles[${index}]`);
    const name = requireString(file.Name, `SqlFiles[${index}].Name`);
    if (!Array.isArray(file.Statements) || file.Statements.length === 0) {
      throw new Error(`SqlFiles[${index}] (${name}).Statements must be a non-empty list of SQL strings`);
    }
    const statements = file.Statements.map((s, i) =>
      requireString(s, `SqlFiles[${index}] (${name}).Statements[${i}]`),
    );
    return { name, statements };
  });
  return {
    target: { database, workgroupName, clusterIdentifier, dbUser, secretArn },
    sqlFiles,
    sqlHash: requireString(properties.SqlHash, 'SqlHash'),
  };
}

/** A stable id per warehouse and database: updates keep it, so CloudFormation never sends a Delete for a replaced id. */
export function physicalResourceId(target: WarehouseTarget): string {
  const warehouse =
    target.workgroupName !== undefined
      ? `workgroup/${target.workgroupName}`
      : `cluster/${target.clusterIdentifier}`;
  return `warehouse-schema:${warehouse}:${target.database}`;
}

function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${name} must be an object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  return value === undefined || value === '' ? undefined : requireString(value, name);
}
