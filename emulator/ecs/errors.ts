import { AwsError } from '../core/errors.js'

/** ECS's error codes, each a 400 except ServerException. */
export const clientError = (message: string) => new AwsError('ClientException', message)
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message)
export const clusterNotFound = () => new AwsError('ClusterNotFoundException', 'Cluster not found.')
export const serviceNotFound = () => new AwsError('ServiceNotFoundException', 'Service not found.')
export const serviceNotActive = () => new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.')
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFoundException', message)
export const unsupportedOperation = (operation: string) =>
  new AwsError('UnknownOperationException', `Operation ${operation} is not supported by this emulator`)
