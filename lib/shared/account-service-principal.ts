import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * The principal of an AWS service acting for this stack's account only: the
 * `aws:SourceAccount` condition is the confused-deputy guard IAM recommends for
 * service roles, so the service cannot be made to use the role for another account.
 */
export function accountServicePrincipal(scope: Construct, service: string): iam.ServicePrincipal {
  return new iam.ServicePrincipal(service, {
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  });
}
