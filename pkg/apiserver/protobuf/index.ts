export {
  type DecodedObject,
  KUBERNETES_PROTOBUF_CONTENT_TYPE,
  KUBERNETES_PROTOBUF_MAGIC,
  decodeKubernetesProtobuf,
  decodeProtobufMessage,
  isKubernetesProtobuf,
  supportedProtobufKinds,
} from './decode.js';
export { MESSAGES, ROOT_MESSAGES } from './table.js';
export type { FieldDef, MessageDef, MessageTable, ScalarType } from './types.js';
export { WireError, WireReader, WireType } from './wire.js';
