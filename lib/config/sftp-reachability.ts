import type { StageConfig } from './stage-config';

/**
 * The synth-time warning for a stage whose SFTP source connector has no route to an
 * external log server, if it has none.
 *
 * Without NAT gateways the services subnets are isolated: MSK Connect reaches AWS
 * through the interface endpoints only. An external SFTP log server (not Transfer
 * Family) is then reachable only over private connectivity the account routes to
 * those subnets (Site-to-Site VPN, Direct Connect or a transit gateway), which this
 * app does not create. A dev stage may choose that to save the NAT gateway's cost;
 * the warning keeps the trade-off visible at every synth.
 */
export function sftpReachabilityWarning(config: StageConfig): string | undefined {
  if (config.network.natGateways > 0 || config.streaming.useTransferFamily) return undefined;
  return (
    `WARNING stage '${config.stage}': network.natGateways is 0 and streaming.useTransferFamily is false, so the SFTP ` +
    'source connector can reach the log server only over private connectivity routed to the services subnets ' +
    '(Site-to-Site VPN, Direct Connect or a transit gateway; not created by this app). To reach a log server on the ' +
    `internet, set stages.${config.stage}.network.natGateways to 1 (about $33/month more, see make cost); ` +
    `to host the server in AWS, set stages.${config.stage}.streaming.useTransferFamily to true.`
  );
}
