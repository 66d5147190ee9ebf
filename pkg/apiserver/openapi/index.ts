// OpenAPI documents published by the server (/openapi/v2, /openapi/v3, /openapi/v3/<gv>).
export {
  openapiV3Index,
  openapiV3GroupVersion,
  openapiV3GroupVersionJSON,
  groupVersionPath,
  contentHash,
  type OpenAPIV3Document,
  type OpenAPIV3Discovery,
  type OpenAPIOptions,
} from './v3.js';
export { openapiV2, openapiV2JSON, toSwagger2Schema, type SwaggerDocument } from './v2.js';
export { crdComponentName, publishedCustomSchema } from './components.js';
