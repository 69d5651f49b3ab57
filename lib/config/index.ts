export { availabilityZoneKind, type AvailabilityZoneKind } from './availability-zones';
export { ConfigError } from './config-error';
export {
  endpointAzCountOf,
  INTERFACE_ENDPOINT_NAMES,
  interfaceEndpointNeeds,
  interfaceEndpointsOf,
  type InterfaceEndpointName,
} from './interface-endpoints';
export { EMR_TLS_ZIP_SETTING, emrInTransitEncryptionWarning } from './emr-in-transit-encryption';
export { sftpReachabilityWarning } from './sftp-reachability';
export { loadStageConfig, type ContextReader } from './load-stage-config';
export type * from './stage-config';
