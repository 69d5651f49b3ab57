import { handleTopicEvent, type TopicResourceEvent, type TopicResourceResponse } from './custom-resource';
import { mskBootstrapBrokerLookup } from './bootstrap-brokers';
import { mskIamAdminSession } from './kafkajs-admin';
import { credentialsFromEnvironment } from './msk-iam-token';

/**
 * onEvent handler of the Custom::KafkaTopic provider: creates the transactions
 * topic on MSK (SASL/IAM over TLS) before the connectors start.
 */
export async function handler(event: TopicResourceEvent): Promise<TopicResourceResponse> {
  const region = process.env.AWS_REGION;
  if (!region) throw new Error('AWS_REGION is not set (the Lambda runtime always sets it)');
  return handleTopicEvent(event, {
    lookupBootstrapBrokers: mskBootstrapBrokerLookup(region, () => credentialsFromEnvironment()),
    openSession: mskIamAdminSession(region),
    log: (message) => console.log(message),
  });
}
