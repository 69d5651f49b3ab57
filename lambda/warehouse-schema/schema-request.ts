/** Where the statements run: a serverless workgroup or a provisioned cluster, with the admin secret. */
export interface WarehouseTarget {
  readonly database: string;
  readonly secretArn: string;
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
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
  const secretArn = requireString(target.SecretArn, 'Target.SecretArn');
  const workgroupName = optionalString(target.WorkgroupName, 'Target.WorkgroupName');
  const clusterIdentifier = optionalString(target.ClusterIdentifier, 'Target.ClusterIdentifier');
  if ((workgroupName === undefined) === (clusterIdentifier === undefined)) {
    throw new Error(
      'Target needs exactly one of WorkgroupName (serverless) or ClusterIdentifier (provisioned)',
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
    target: { database, secretArn, workgroupName, clusterIdentifier },
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
