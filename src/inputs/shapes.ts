import type {
  AwsVpcConfiguration,
  CapacityProviderStrategyItem,
  ContainerDefinition,
  CreateServiceCommandInput,
  DeploymentCircuitBreaker,
  DeploymentConfiguration,
  DeploymentController,
  HealthCheck,
  KeyValuePair,
  LoadBalancer as EcsLoadBalancer,
  LogConfiguration,
  MountPoint,
  NetworkConfiguration,
  PlacementConstraint,
  PlacementStrategy,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
  Secret,
  ServiceRegistry,
  Tag as EcsTag
} from '@aws-sdk/client-ecs'
import type {
  Action,
  Certificate,
  CreateListenerCommandInput,
  CreateLoadBalancerCommandInput,
  CreateRuleCommandInput,
  CreateTargetGroupCommandInput,
  FixedResponseActionConfig,
  ForwardActionConfig,
  HostHeaderConditionConfig,
  HttpHeaderConditionConfig,
  HttpRequestMethodConditionConfig,
  Matcher,
  PathPatternConditionConfig,
  QueryStringConditionConfig,
  QueryStringKeyValuePair,
  RedirectActionConfig,
  RuleCondition,
  SourceIpConditionConfig,
  SubnetMapping,
  Tag as ElbTag,
  TargetGroupStickinessConfig,
  TargetGroupTuple
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { arr, bool, forbidden, int, looseArray, looseObject, map, obj, str } from './schema.js'

/*
 * The accepted shapes: the AWS CLI `--cli-input-json` shapes of the calls the action makes. Every key of
 * the SDK input type appears (the compiler checks it); the ones that matter to this action get a strict
 * nested shape, the rest are accepted as objects/lists and left for AWS to judge. Ranges that AWS
 * documents as plain numeric limits live here; rules that relate two fields live in validate-*.ts.
 */

const PORT = { min: 1, max: 65535 }

const elbTag = obj<ElbTag>({ Key: str({ required: true }), Value: str() })
const ecsTag = obj<EcsTag>({ key: str({ required: true }), value: str() })

// --- Elastic Load Balancing v2 -----------------------------------------------------------------------

export const loadBalancerShape = obj<CreateLoadBalancerCommandInput>({
  Name: str({ required: true }),
  Subnets: arr<string>(str()),
  SubnetMappings: arr<SubnetMapping>(
    obj<SubnetMapping>({
      SubnetId: str({ required: true }),
      AllocationId: forbidden('Elastic IPs are for Network Load Balancers'),
      PrivateIPv4Address: forbidden('private addresses are for Network Load Balancers'),
      IPv6Address: forbidden('IPv6 addresses are for Network Load Balancers'),
      SourceNatIpv6Prefix: forbidden('source NAT prefixes are for Network Load Balancers')
    })
  ),
  SecurityGroups: arr<string>(str(), { max: 5 }),
  Scheme: str({ enum: ['internet-facing', 'internal'] }),
  Tags: arr<ElbTag>(elbTag),
  // This action manages Application Load Balancers only.
  Type: str({ enum: ['application'] }),
  IpAddressType: str({ enum: ['ipv4', 'dualstack', 'dualstack-without-public-ipv4'] }),
  CustomerOwnedIpv4Pool: str(),
  EnablePrefixForIpv6SourceNat: forbidden('only Network Load Balancers have it'),
  IpamPools: looseObject()
})

export const matcherShape = obj<Matcher>({ HttpCode: str(), GrpcCode: str() })

export const targetGroupShape = obj<CreateTargetGroupCommandInput>({
  Name: str({ required: true }),
  Protocol: str({ enum: ['HTTP', 'HTTPS'], required: true }),
  ProtocolVersion: str({ enum: ['HTTP1', 'HTTP2', 'GRPC'] }),
  Port: int({ ...PORT, required: true }),
  VpcId: str(),
  HealthCheckProtocol: str({ enum: ['HTTP', 'HTTPS'] }),
  HealthCheckPort: str(),
  HealthCheckEnabled: bool(),
  HealthCheckPath: str(),
  HealthCheckIntervalSeconds: int({ min: 5, max: 300 }),
  HealthCheckTimeoutSeconds: int({ min: 2, max: 120 }),
  HealthyThresholdCount: int({ min: 2, max: 10 }),
  UnhealthyThresholdCount: int({ min: 2, max: 10 }),
  Matcher: matcherShape,
  // ECS registers tasks as instances (bridge/host) or IPs (awsvpc); lambda and alb targets do not apply.
  TargetType: str({ enum: ['instance', 'ip'] }),
  Tags: arr<ElbTag>(elbTag),
  IpAddressType: str({ enum: ['ipv4', 'ipv6'] }),
  TargetControlPort: int(PORT)
})

const forwardConfigShape = obj<ForwardActionConfig>({
  TargetGroups: arr<TargetGroupTuple>(
    obj<TargetGroupTuple>({ TargetGroupArn: str({ required: true }), Weight: int({ min: 0, max: 999 }) }),
    { min: 1, max: 5 }
  ),
  TargetGroupStickinessConfig: obj<TargetGroupStickinessConfig>({
    Enabled: bool(),
    DurationSeconds: int({ min: 1, max: 604800 })
  })
})

const actionShape = obj<Action>({
  Type: str({ enum: ['forward', 'redirect', 'fixed-response'], required: true }),
  TargetGroupArn: str(),
  AuthenticateOidcConfig: forbidden('authentication actions are not managed by this action'),
  AuthenticateCognitoConfig: forbidden('authentication actions are not managed by this action'),
  JwtValidationConfig: forbidden('JWT validation actions are not managed by this action'),
  Order: int({ min: 1, max: 50000 }),
  RedirectConfig: obj<RedirectActionConfig>({
    Protocol: str(),
    Port: str(),
    Host: str(),
    Path: str(),
    Query: str(),
    StatusCode: str({ enum: ['HTTP_301', 'HTTP_302'], required: true })
  }),
  FixedResponseConfig: obj<FixedResponseActionConfig>({
    MessageBody: str(),
    StatusCode: str({ required: true }),
    ContentType: str({
      enum: ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json']
    })
  }),
  ForwardConfig: forwardConfigShape
})

/** CreateListener without LoadBalancerArn (the action knows it); DefaultActions optional. */
export const listenerShape = obj<CreateListenerCommandInput>({
  LoadBalancerArn: forbidden('the action uses the load balancer from the load-balancer input'),
  Protocol: str({ enum: ['HTTP', 'HTTPS'], required: true }),
  Port: int({ ...PORT, required: true }),
  SslPolicy: str(),
  Certificates: arr<Certificate>(
    obj<Certificate>({ CertificateArn: str({ required: true }), IsDefault: bool() })
  ),
  DefaultActions: arr<Action>(actionShape, { min: 1 }),
  AlpnPolicy: forbidden('ALPN policies are for TLS listeners of Network Load Balancers'),
  Tags: forbidden('use the tags input: it tags everything the action creates'),
  MutualAuthentication: forbidden('mutual TLS is not managed by this action')
})

const valuesOnly = { Values: arr<string>(str()), RegexValues: arr<string>(str()) }

export const ruleConditionShape = obj<RuleCondition>({
  Field: str({
    enum: ['path-pattern', 'host-header', 'http-header', 'http-request-method', 'query-string', 'source-ip'],
    required: true
  }),
  Values: arr<string>(str()),
  RegexValues: arr<string>(str()),
  HostHeaderConfig: obj<HostHeaderConditionConfig>(valuesOnly),
  PathPatternConfig: obj<PathPatternConditionConfig>(valuesOnly),
  HttpHeaderConfig: obj<HttpHeaderConditionConfig>({
    HttpHeaderName: str({ required: true }),
    ...valuesOnly
  }),
  QueryStringConfig: obj<QueryStringConditionConfig>({
    Values: arr<QueryStringKeyValuePair>(
      obj<QueryStringKeyValuePair>({ Key: str(), Value: str({ required: true }) })
    )
  }),
  HttpRequestMethodConfig: obj<HttpRequestMethodConditionConfig>({ Values: arr<string>(str()) }),
  SourceIpConfig: obj<SourceIpConditionConfig>({ Values: arr<string>(str()), IpAddressType: str() })
})

/** CreateRule: the conditions and optionally the priority; the action supplies listener and actions. */
export const listenerRuleShape = obj<CreateRuleCommandInput>({
  ListenerArn: forbidden('the rule goes on the listener from the listener input'),
  Conditions: arr<RuleCondition>(ruleConditionShape, { required: true, min: 1, max: 5 }),
  Priority: int({ min: 1, max: 50000 }),
  Actions: forbidden('the rule forwards to the target group from the target-group input'),
  Tags: forbidden('use the tags input: it tags everything the action creates'),
  Transforms: forbidden('rule transforms are not managed by this action')
})

// --- ECS ---------------------------------------------------------------------------------------------

const portMappingShape = obj<PortMapping>({
  containerPort: int(PORT),
  // 0 asks Docker for a dynamic host port (bridge mode), as the seed's tasks do.
  hostPort: int({ min: 0, max: 65535 }),
  protocol: str({ enum: ['tcp', 'udp'] }),
  name: str(),
  appProtocol: str({ enum: ['http', 'http2', 'grpc'] }),
  containerPortRange: str()
})

const healthCheckShape = obj<HealthCheck>({
  command: arr<string>(str(), { required: true, min: 1 }),
  interval: int({ min: 5, max: 300 }),
  timeout: int({ min: 2, max: 120 }),
  retries: int({ min: 1, max: 10 }),
  startPeriod: int({ min: 0, max: 300 })
})

const secretShape = obj<Secret>({ name: str({ required: true }), valueFrom: str({ required: true }) })

export const containerDefinitionShape = obj<ContainerDefinition>({
  name: str({ required: true }),
  image: str({ required: true }),
  repositoryCredentials: looseObject(),
  cpu: int({ min: 0 }),
  memory: int({ min: 6 }),
  memoryReservation: int({ min: 6 }),
  links: arr<string>(str()),
  portMappings: arr<PortMapping>(portMappingShape),
  essential: bool(),
  restartPolicy: looseObject(),
  entryPoint: arr<string>(str()),
  command: arr<string>(str()),
  // Any variable may hold a secret (DATABASE_URL with a password): no message quotes a value here.
  environment: arr<KeyValuePair>(obj<KeyValuePair>({ name: str({ required: true }), value: str() }), {
    quiet: true
  }),
  environmentFiles: looseArray(),
  mountPoints: arr<MountPoint>(
    obj<MountPoint>({ sourceVolume: str(), containerPath: str(), readOnly: bool() })
  ),
  volumesFrom: looseArray(),
  linuxParameters: looseObject(),
  secrets: arr<Secret>(secretShape),
  dependsOn: looseArray(),
  startTimeout: int({ min: 2, max: 120 }),
  stopTimeout: int({ min: 2, max: 120 }),
  versionConsistency: str({ enum: ['enabled', 'disabled'] }),
  hostname: str(),
  user: str(),
  workingDirectory: str(),
  disableNetworking: bool(),
  privileged: bool(),
  readonlyRootFilesystem: bool(),
  dnsServers: arr<string>(str()),
  dnsSearchDomains: arr<string>(str()),
  extraHosts: looseArray(),
  dockerSecurityOptions: arr<string>(str()),
  interactive: bool(),
  pseudoTerminal: bool(),
  dockerLabels: map(),
  ulimits: looseArray(),
  logConfiguration: obj<LogConfiguration>({
    logDriver: str({ required: true }),
    options: map(),
    secretOptions: arr<Secret>(secretShape)
  }),
  healthCheck: healthCheckShape,
  systemControls: looseArray(),
  resourceRequirements: looseArray(),
  firelensConfiguration: looseObject(),
  credentialSpecs: arr<string>(str())
})

export const taskDefinitionShape = obj<RegisterTaskDefinitionCommandInput>({
  family: str({ required: true }),
  taskRoleArn: str(),
  executionRoleArn: str(),
  networkMode: str({ enum: ['bridge', 'host', 'awsvpc', 'none'] }),
  containerDefinitions: arr<ContainerDefinition>(containerDefinitionShape, {
    required: true,
    min: 1,
    max: 10
  }),
  volumes: looseArray(),
  placementConstraints: looseArray(),
  requiresCompatibilities: arr(str({ enum: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] })),
  cpu: str(),
  memory: str(),
  tags: arr<EcsTag>(ecsTag, { max: 50 }),
  pidMode: str({ enum: ['host', 'task'] }),
  ipcMode: str({ enum: ['host', 'task', 'none'] }),
  proxyConfiguration: looseObject(),
  inferenceAccelerators: looseArray(),
  ephemeralStorage: looseObject(),
  runtimePlatform: looseObject(),
  enableFaultInjection: bool()
})

const ecsLoadBalancerShape = obj<EcsLoadBalancer>({
  targetGroupArn: str(),
  loadBalancerName: forbidden('Classic Load Balancers are not supported; use targetGroupArn'),
  containerName: str({ required: true }),
  containerPort: int({ ...PORT, required: true }),
  advancedConfiguration: looseObject()
})

const deploymentConfigurationShape = obj<DeploymentConfiguration>({
  deploymentCircuitBreaker: obj<DeploymentCircuitBreaker>({
    enable: bool({ required: true }),
    rollback: bool({ required: true }),
    resetOnHealthyTask: bool(),
    thresholdConfiguration: looseObject()
  }),
  maximumPercent: int({ min: 0 }),
  minimumHealthyPercent: int({ min: 0, max: 100 }),
  alarms: looseObject(),
  strategy: str({ enum: ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] }),
  bakeTimeInMinutes: int({ min: 0, max: 1440 }),
  lifecycleHooks: looseArray(),
  linearConfiguration: looseObject(),
  canaryConfiguration: looseObject(),
  earlySuccessCriteria: looseObject()
})

export const serviceShape = obj<CreateServiceCommandInput>({
  cluster: str(),
  serviceName: str({ required: true }),
  taskDefinition: str(),
  availabilityZoneRebalancing: str({ enum: ['ENABLED', 'DISABLED'] }),
  loadBalancers: arr<EcsLoadBalancer>(ecsLoadBalancerShape, { max: 5 }),
  serviceRegistries: arr<ServiceRegistry>(
    obj<ServiceRegistry>({
      registryArn: str(),
      port: int(PORT),
      containerName: str(),
      containerPort: int(PORT)
    })
  ),
  desiredCount: int({ min: 0, max: 5000 }),
  clientToken: str(),
  launchType: str({ enum: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] }),
  capacityProviderStrategy: arr<CapacityProviderStrategyItem>(
    obj<CapacityProviderStrategyItem>({
      capacityProvider: str({ required: true }),
      weight: int({ min: 0, max: 1000 }),
      base: int({ min: 0, max: 100000 })
    }),
    { max: 20 }
  ),
  platformVersion: str(),
  role: str(),
  deploymentConfiguration: deploymentConfigurationShape,
  placementConstraints: arr<PlacementConstraint>(
    obj<PlacementConstraint>({ type: str({ enum: ['distinctInstance', 'memberOf'] }), expression: str() }),
    { max: 10 }
  ),
  placementStrategy: arr<PlacementStrategy>(
    obj<PlacementStrategy>({ type: str({ enum: ['binpack', 'random', 'spread'] }), field: str() }),
    { max: 5 }
  ),
  networkConfiguration: obj<NetworkConfiguration>({
    awsvpcConfiguration: obj<AwsVpcConfiguration>({
      subnets: arr<string>(str(), { required: true, min: 1, max: 16 }),
      securityGroups: arr<string>(str(), { max: 5 }),
      assignPublicIp: str({ enum: ['ENABLED', 'DISABLED'] })
    })
  }),
  healthCheckGracePeriodSeconds: int({ min: 0, max: 2147483647 }),
  schedulingStrategy: str({ enum: ['REPLICA', 'DAEMON'] }),
  deploymentController: obj<DeploymentController>({
    type: str({ enum: ['ECS', 'CODE_DEPLOY', 'EXTERNAL'], required: true })
  }),
  tags: arr<EcsTag>(ecsTag, { max: 50 }),
  enableECSManagedTags: bool(),
  propagateTags: str({ enum: ['NONE', 'SERVICE', 'TASK_DEFINITION'] }),
  enableExecuteCommand: bool(),
  serviceConnectConfiguration: looseObject(),
  volumeConfigurations: looseArray(),
  vpcLatticeConfigurations: looseArray(),
  monitoring: looseObject()
})
