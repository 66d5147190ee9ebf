// KubeEdge's devices.kubeedge.io/v1beta1 Device and DeviceModel (kubeedge pkg/apis/devices/v1beta1:
// device_instance_types.go, device_model_types.go), field names as KubeEdge's. One zod schema per kind
// gives the TS types and the CRDs kube-sim installs and samples/edge/crds.yaml ships (see crds.ts).
// Free-form protocol and visitor config (CustomizedValue) keeps unknown fields, as KubeEdge's CRDs do.

import { z } from 'zod';
import type { KindDefinition } from '../apis/kind.js';
import { int32, int64, rawObject, stringMap, typeMeta } from '../apis/meta/v1/types.js';

export const DEVICES_GROUP = 'devices.kubeedge.io';
export const DEVICES_VERSION = 'v1beta1';
export const DEVICES_API_VERSION = `${DEVICES_GROUP}/${DEVICES_VERSION}`;
export const DEVICE_KIND = 'Device';
export const DEVICE_MODEL_KIND = 'DeviceModel';

/** DeviceStatus.state as mappers report it (KubeEdge's DeviceStatus constants). */
export const DEVICE_STATE_ONLINE = 'online';
export const DEVICE_STATE_OFFLINE = 'offline';
export const DEVICE_STATE_UNKNOWN = 'unknown';

/** Keys of TwinProperty.metadata written by mappers: ms since the epoch as a string, and the value type. */
export const TWIN_METADATA_TIMESTAMP = 'timestamp';
export const TWIN_METADATA_TYPE = 'type';

const LocalObjectReferenceSchema = z.object({
  name: z.string().describe('Name of the referent.').optional(),
});

export const TwinPropertySchema = z.object({
  value: z.string().describe('Required: The value for this property.'),
  metadata: stringMap().describe('Additional metadata like timestamp when the value was reported etc.').optional(),
});
export type TwinProperty = z.input<typeof TwinPropertySchema>;

export const ProtocolConfigSchema = z.object({
  protocolName: z.string().describe('Unique protocol name Required.').optional(),
  configData: rawObject().describe('Any config data').optional(),
});

export const VisitorConfigSchema = z.object({
  protocolName: z.string().describe('Required: name of customized protocol').optional(),
  configData: rawObject().describe('Required: The configData of customized protocol').optional(),
});

const PushMethodHTTPSchema = z.object({
  hostName: z.string().optional(),
  port: int64().optional(),
  requestPath: z.string().optional(),
  timeout: int64().optional(),
});

const PushMethodMQTTSchema = z.object({
  address: z.string().describe('broker address, like mqtt://127.0.0.1:1883').optional(),
  topic: z.string().describe('publish topic for mqtt').optional(),
  qos: int32().describe('qos of mqtt publish param').optional(),
  retained: z.boolean().describe('Is the message retained').optional(),
});

const DBMethodConfigSchema = z.object({
  influxdb2: z
    .object({
      influxdb2ClientConfig: z
        .object({
          url: z.string().describe('Url of influx database').optional(),
          org: z.string().describe('Org of the user in influx database').optional(),
          bucket: z.string().describe('Bucket of the user in influx database').optional(),
        })
        .describe('Config of influx database')
        .optional(),
      influxdb2DataConfig: z
        .object({
          measurement: z.string().describe('Measurement of the user data').optional(),
          tag: stringMap().describe('the tag of device data').optional(),
          fieldKey: z.string().describe('FieldKey of the user data').optional(),
        })
        .describe('config of device data when push to influx database')
        .optional(),
    })
    .describe('method configuration for database')
    .optional(),
  redis: z
    .object({
      redisClientConfig: z
        .object({
          addr: z.string().describe('Addr of Redis database').optional(),
          db: z.int().describe('Db of Redis database').optional(),
          poolsize: z.int().describe('Poolsize of Redis database').optional(),
          minIdleConns: z.int().describe('MinIdleConns of Redis database').optional(),
        })
        .describe('RedisClientConfig of redis database')
        .optional(),
    })
    .optional(),
  TDEngine: z
    .object({
      TDEngineClientConfig: z
        .object({
          addr: z.string().describe('addr of tdEngine database').optional(),
          dbName: z.string().describe('dbname of tdEngine database').optional(),
        })
        .describe('tdengineClientConfig of tdengine database')
        .optional(),
    })
    .optional(),
  mysql: z
    .object({
      mysqlClientConfig: z
        .object({
          addr: z.string().describe('mysql address,like localhost:3306').optional(),
          database: z.string().describe('database name').optional(),
          userName: z.string().describe('user name').optional(),
        })
        .optional(),
    })
    .optional(),
});

const PushMethodSchema = z.object({
  http: PushMethodHTTPSchema.describe('HTTP Push method configuration for http').optional(),
  mqtt: PushMethodMQTTSchema.describe('MQTT Push method configuration for mqtt').optional(),
  dbMethod: DBMethodConfigSchema.describe('DBMethod represents the method used to push data to database, please ensure that the mapper can access the destination address.').optional(),
});

export const DevicePropertySchema = z.object({
  name: z.string().describe('Required: The device property name to be accessed. It must be unique.').optional(),
  desired: TwinPropertySchema.describe('The desired property value.').optional(),
  visitors: VisitorConfigSchema.describe('Visitors are intended to be consumed by device mappers which connect to devices and collect data / perform actions on the device. Required: Protocol relevant config details about the how to access the device property.').optional(),
  reportCycle: int64().describe('Define how frequent mapper will report the value.').optional(),
  collectCycle: int64().describe('Define how frequent mapper will collect from device.').optional(),
  reportToCloud: z.boolean().describe('whether be reported to the cloud').optional(),
  pushMethod: PushMethodSchema.describe('PushMethod represents the protocol used to push data, please ensure that the mapper can access the destination address.').optional(),
});
export type DeviceProperty = z.input<typeof DevicePropertySchema>;

const DeviceMethodSchema = z.object({
  name: z.string().describe('Required: The device method name to be accessed. It must be unique.').optional(),
  description: z.string().describe('Define the description of device method.').optional(),
  propertyNames: z.array(z.string()).describe('PropertyNames are list of device properties that device methods can control. Required: A device method can control multiple device properties.').optional(),
});

export const DeviceSpecSchema = z.object({
  deviceModelRef: LocalObjectReferenceSchema.describe('Required: DeviceModelRef is reference to the device model used as a template to create the device instance.').optional(),
  nodeName: z
    .string()
    .describe('NodeName is a request to schedule this device onto a specific node. If it is non-empty, the scheduler simply schedules this device onto that node, assuming that it fits resource requirements.')
    .optional(),
  properties: z.array(DevicePropertySchema).describe('List of properties which describe the device properties. properties list item must be unique by properties.Name.').optional(),
  protocol: ProtocolConfigSchema.describe('Required: The protocol configuration used to connect to the device.').optional(),
  methods: z.array(DeviceMethodSchema).describe('List of methods of device. methods list item must be unique by method.Name.').optional(),
});
export type DeviceSpec = z.input<typeof DeviceSpecSchema>;

export const TwinSchema = z.object({
  propertyName: z.string().describe('Required: The property name for which the desired/reported values are specified. This property should be present in the device model.').optional(),
  reported: TwinPropertySchema.describe('Required: the reported property value.').optional(),
  observedDesired: TwinPropertySchema.describe('The meaning of here is to indicate desired value of `deviceProperty.Desired` that the mapper has received in current cycle.').optional(),
});
export type Twin = z.input<typeof TwinSchema>;

export const DeviceStatusSchema = z.object({
  twins: z.array(TwinSchema).describe("A list of device twins containing desired/reported desired/reported values of twin properties. Optional: A passive device won't have twin properties and this list could be empty.").optional(),
  state: z.string().describe('Optional: The state of the device.').optional(),
  lastOnlineTime: z.string().describe('Optional: The last time the device was online.').optional(),
  reportToCloud: z.boolean().describe('Optional: whether be reported to the cloud').optional(),
  reportCycle: int64().describe('Optional: Define how frequent mapper will report the device status.').optional(),
});
export type DeviceStatus = z.input<typeof DeviceStatusSchema>;

export const DeviceSchema = z
  .object({
    ...typeMeta(),
    spec: DeviceSpecSchema.describe('DeviceSpec represents a single device instance.').optional(),
    status: DeviceStatusSchema.describe('DeviceStatus reports the device state and the desired/reported values of twin attributes.').optional(),
  })
  .describe('Device is the Schema for the devices API');
export type Device = z.input<typeof DeviceSchema>;

export const PROPERTY_TYPES = ['INT', 'FLOAT', 'DOUBLE', 'STRING', 'BOOLEAN', 'BYTES'] as const;
export const PROPERTY_ACCESS_MODES = ['ReadWrite', 'ReadOnly'] as const;

export const ModelPropertySchema = z.object({
  name: z.string().describe('Required: The device property name.').optional(),
  description: z.string().describe('The device property description.').optional(),
  type: z.enum(PROPERTY_TYPES).describe('Required: Type of device property, ENUM: INT,FLOAT,DOUBLE,STRING,BOOLEAN,BYTES').optional(),
  accessMode: z.enum(PROPERTY_ACCESS_MODES).describe('Required: Access mode of property, ReadWrite or ReadOnly.').optional(),
  minimum: z.string().describe('Minimum value of device data').optional(),
  maximum: z.string().describe('Maximum value of device data').optional(),
  unit: z.string().describe('The unit of the property').optional(),
});
export type ModelProperty = z.input<typeof ModelPropertySchema>;

export const DeviceModelSpecSchema = z.object({
  properties: z.array(ModelPropertySchema).describe('Required: List of device properties.').optional(),
  protocol: z.string().describe('Required: Protocol name used by the device.').optional(),
});

export const DeviceModelSchema = z
  .object({
    ...typeMeta(),
    spec: DeviceModelSpecSchema.describe('DeviceModelSpec defines the model for a device.It is a blueprint which describes the device capabilities and access mechanism via property visitors.').optional(),
  })
  .describe('DeviceModel is the Schema for the device model API');
export type DeviceModel = z.input<typeof DeviceModelSchema>;

export const deviceKind: KindDefinition = {
  group: DEVICES_GROUP,
  version: DEVICES_VERSION,
  kind: DEVICE_KIND,
  plural: 'devices',
  singular: 'device',
  scope: 'Namespaced',
  schema: DeviceSchema,
  statusSubresource: true,
};

/** A DeviceModel has no status (KubeEdge defines none), so no status subresource either. */
export const deviceModelKind: KindDefinition = {
  group: DEVICES_GROUP,
  version: DEVICES_VERSION,
  kind: DEVICE_MODEL_KIND,
  plural: 'devicemodels',
  singular: 'devicemodel',
  scope: 'Namespaced',
  schema: DeviceModelSchema,
  statusSubresource: false,
};

export const KUBEEDGE_DEVICE_KINDS: readonly KindDefinition[] = [deviceModelKind, deviceKind];
