import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Reading an OpenAPI 3.1 document the way a client would, to check it and to check real answers
 * against it: its structure (OpenAPI's own rules we rely on), and each answer's status, media
 * type, headers and body (with ajv's draft 2020-12 validator and the `date`/`date-time` formats).
 */

type JsonObject = Record<string, unknown>;

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PATH_ITEM_KEYS = new Set(['$ref', 'summary', 'description', 'servers', 'parameters', ...METHODS]);
const TOP_LEVEL_KEYS = new Set([
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
]);
const PARAMETER_PLACES = new Set(['query', 'header', 'path', 'cookie']);
const DOCUMENT_ID = 'https://openapi.test/document.json';

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

function resolvePointer(document: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#')) return undefined;
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as JsonObject)[part];
    if (node === undefined) return undefined;
  }
  return node;
}

/** An OpenAPI object that may be a `$ref` to one in components, and the pointer of where it really is. */
function follow(document: JsonObject, value: unknown, at: string): { value: unknown; at: string } {
  if (isObject(value) && typeof value.$ref === 'string') {
    return { value: resolvePointer(document, value.$ref), at: value.$ref };
  }
  return { value, at };
}

function newAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/** Every way the document departs from the parts of OpenAPI 3.1 a client relies on; empty when none. */
export function openApiProblems(document: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(document)) return ['the document is not an object'];
  if (typeof document.openapi !== 'string' || !/^3\.1\.\d+$/.test(document.openapi))
    problems.push(`openapi: "${String(document.openapi)}" is not 3.1.x`);
  for (const key of Object.keys(document)) {
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-')) problems.push(`unknown top-level field "${key}"`);
  }
  const info = document.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string')
    problems.push('info: needs a title and a version');
  if (!isObject(document.paths)) return [...problems, 'paths: missing'];

  // Every $ref, anywhere, points at something.
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) for (const [i, item] of node.entries()) walk(item, `${at}/${i}`);
    if (!isObject(node)) return;
    if (typeof node.$ref === 'string' && resolvePointer(document, node.$ref) === undefined)
      problems.push(`${at}: $ref ${node.$ref} does not resolve`);
    for (const [key, value] of Object.entries(node)) walk(value, `${at}/${escapePointer(key)}`);
  };
  walk(document, '#');

  const components = isObject(document.components) ? document.components : {};
  for (const [kind, entries] of Object.entries(components)) {
    for (const name of Object.keys(isObject(entries) ? entries : {})) {
      if (!/^[a-zA-Z0-9._-]+$/.test(name)) problems.push(`components.${kind}: bad name "${name}"`);
    }
  }
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const tags = new Set(
    (Array.isArray(document.tags) ? document.tags : []).map((tag) => (isObject(tag) ? tag.name : undefined)),
  );
  const operationIds = new Map<string, string>();

  for (const [path, rawItem] of Object.entries(document.paths)) {
    const where = `paths["${path}"]`;
    if (!path.startsWith('/')) problems.push(`${where}: must start with "/"`);
    if (!isObject(rawItem)) {
      problems.push(`${where}: not an object`);
      continue;
    }
    for (const key of Object.keys(rawItem)) {
      if (!PATH_ITEM_KEYS.has(key) && !key.startsWith('x-')) problems.push(`${where}: unknown field "${key}"`);
    }
    const templated = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    const pathLevel = Array.isArray(rawItem.parameters) ? rawItem.parameters : [];
    for (const method of METHODS) {
      const operation = rawItem[method];
      if (operation === undefined) continue;
      const at = `${where}.${method}`;
      if (!isObject(operation)) {
        problems.push(`${at}: not an object`);
        continue;
      }
      if (typeof operation.operationId !== 'string') problems.push(`${at}: no operationId`);
      else if (operationIds.has(operation.operationId))
        problems.push(
          `${at}: operationId "${operation.operationId}" also used by ${operationIds.get(operation.operationId)}`,
        );
      else operationIds.set(operation.operationId, at);
      for (const tag of Array.isArray(operation.tags) ? operation.tags : []) {
        if (!tags.has(tag)) problems.push(`${at}: tag "${String(tag)}" is not declared`);
      }
      for (const requirement of Array.isArray(operation.security) ? operation.security : []) {
        for (const name of Object.keys(isObject(requirement) ? requirement : {})) {
          if (!Object.hasOwn(schemes, name)) problems.push(`${at}: security scheme "${name}" is not declared`);
        }
      }

      // Parameters: each well formed, none twice, and exactly the path's template names in the path.
      const parameters = [...pathLevel, ...(Array.isArray(operation.parameters) ? operation.parameters : [])].map(
        (p, i) => follow(document, p, `${at}.parameters[${i}]`).value,
      );
      const seen = new Set<string>();
      const inPath = new Set<string>();
      for (const parameter of parameters) {
        if (!isObject(parameter) || typeof parameter.name !== 'string' || !PARAMETER_PLACES.has(String(parameter.in))) {
          problems.push(`${at}: a parameter needs a name and "in" (query, header, path, cookie)`);
          continue;
        }
        const key = `${parameter.in}:${parameter.name.toLowerCase()}`;
        if (seen.has(key)) problems.push(`${at}: parameter ${key} given twice`);
        seen.add(key);
        if (!isObject(parameter.schema) && !isObject(parameter.content))
          problems.push(`${at}: parameter ${key} has no schema`);
        if (parameter.in === 'path') {
          inPath.add(parameter.name);
          if (parameter.required !== true) problems.push(`${at}: path parameter ${parameter.name} must be required`);
        }
      }
      for (const name of templated) if (!inPath.has(name as string)) problems.push(`${at}: {${name}} is not declared`);
      for (const name of inPath)
        if (!templated.has(name)) problems.push(`${at}: path parameter ${name} is not in the path`);

      if (operation.requestBody !== undefined) {
        const body = follow(document, operation.requestBody, `${at}.requestBody`).value;
        if (!isObject(body) || !isObject(body.content) || Object.keys(body.content).length === 0)
          problems.push(`${at}: requestBody needs content`);
      }

      const responses = operation.responses;
      if (!isObject(responses) || Object.keys(responses).length === 0) {
        problems.push(`${at}: no responses`);
        continue;
      }
      for (const [status, rawResponse] of Object.entries(responses)) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(status)) problems.push(`${at}: "${status}" is not a status code`);
        const response = follow(document, rawResponse, `${at}.responses.${status}`).value;
        if (!isObject(response) || typeof response.description !== 'string') {
          problems.push(`${at}.responses.${status}: needs a description`);
          continue;
        }
        for (const [type, media] of Object.entries(isObject(response.content) ? response.content : {})) {
          if (!isObject(media) || !isObject(media.schema))
            problems.push(`${at}.responses.${status}: ${type} has no schema`);
        }
        for (const [name, header] of Object.entries(isObject(response.headers) ? response.headers : {})) {
          const resolved = follow(document, header, '').value;
          if (!isObject(resolved) || (!isObject(resolved.schema) && !isObject(resolved.content)))
            problems.push(`${at}.responses.${status}: header ${name} has no schema`);
        }
      }
    }
  }

  // Every schema is valid draft 2020-12 that ajv compiles in strict mode (formats known, no stray
  // keywords), its $refs resolved inside the document.
  try {
    const checker = createOpenApiChecker(document);
    problems.push(...checker.compileEverySchema());
  } catch (error) {
    problems.push(`the document does not load into a validator: ${error}`);
  }
  return problems;
}

/**
 * Object schemas an answer can contain that do not say `additionalProperties: false`: an answer
 * with a field the document does not list would pass them. `open` names the schemas allowed to be.
 */
export function openObjectsInAnswers(document: JsonObject, open: readonly string[] = []): string[] {
  const found = new Set<string>();
  const visited = new Set<string>();
  const visit = (node: unknown, at: string) => {
    if (Array.isArray(node)) for (const [i, item] of node.entries()) visit(item, `${at}/${i}`);
    if (!isObject(node)) return;
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace('#/components/schemas/', '');
      if (!open.includes(name) && !visited.has(node.$ref)) {
        visited.add(node.$ref);
        visit(resolvePointer(document, node.$ref), node.$ref);
      }
    }
    const isObjectSchema = node.type === 'object' || isObject(node.properties);
    if (isObjectSchema && node.additionalProperties !== false) found.add(at);
    for (const [key, value] of Object.entries(node)) {
      if (key !== '$ref') visit(value, `${at}/${escapePointer(key)}`);
    }
  };
  for (const [template, item] of Object.entries(document.paths as JsonObject)) {
    for (const method of METHODS) {
      const operation = (item as JsonObject)[method];
      if (!isObject(operation)) continue;
      for (const [status, raw] of Object.entries(operation.responses as JsonObject)) {
        const { value, at } = follow(document, raw, `#/paths/${escapePointer(template)}/${method}/responses/${status}`);
        const content = isObject(value) && isObject(value.content) ? value.content : {};
        for (const [type, media] of Object.entries(content)) {
          if (isObject(media)) visit(media.schema, `${at}/content/${escapePointer(type)}/schema`);
        }
      }
    }
  }
  return [...found];
}

export interface Answer {
  /** The path as the document spells it: /api/v1/loans/{externalId}. */
  template: string;
  method: string;
  status: number;
  headers: Headers;
  body: string;
}

/** Checks real exchanges against the document. */
export function createOpenApiChecker(document: JsonObject) {
  const ajv = newAjv();
  // The document is loaded whole so that its $refs resolve; its own top-level fields are not
  // schema keywords, and strict mode would refuse them when a ref makes ajv compile the root.
  ajv.addVocabulary([...TOP_LEVEL_KEYS]);
  ajv.addSchema(document, DOCUMENT_ID);
  const validators = new Map<string, ValidateFunction>();

  /** A validator for the schema found at `pointer` inside the document. */
  function validatorAt(pointer: string): ValidateFunction {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  }

  const errorsOf = (validate: ValidateFunction) =>
    (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);

  function pathItem(template: string): JsonObject | undefined {
    const paths = document.paths as JsonObject;
    const item = paths[template];
    return isObject(item) ? item : undefined;
  }

  /** The response object the document gives for an answer, and where it sits; problems when there is none. */
  function documentedResponse(template: string, method: string, status: number) {
    const item = pathItem(template);
    if (!item) return { problems: [`${template} is not a documented path`] };
    const operation = item[method.toLowerCase()];
    if (!isObject(operation)) {
      // A method the path does not list: the document says it is a 405 with Allow.
      if (status !== 405) return { problems: [`${method} ${template}: undocumented method answered ${status}`] };
      const at = '#/components/responses/MethodNotAllowed';
      return { response: resolvePointer(document, at), at, problems: [] };
    }
    const responses = operation.responses as JsonObject;
    const raw = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (raw === undefined) return { problems: [`${method} ${template}: status ${status} is not documented`] };
    const base = `#/paths/${escapePointer(template)}/${method.toLowerCase()}/responses/${status}`;
    const { value, at } = follow(document, raw, base);
    return { response: value, at, problems: [] };
  }

  return {
    /** Every documented (method, path, status), as "METHOD path status". */
    documentedAnswers(): string[] {
      const out: string[] = [];
      for (const [template, item] of Object.entries(document.paths as JsonObject)) {
        for (const method of METHODS) {
          const operation = (item as JsonObject)[method];
          if (!isObject(operation)) continue;
          for (const status of Object.keys(operation.responses as JsonObject))
            out.push(`${method.toUpperCase()} ${template} ${status}`);
        }
      }
      return out;
    },

    /** The operations, with whether they need a key and the media type of their body. */
    operations() {
      const out: Array<{ template: string; method: string; secured: boolean; bodyType: string | null }> = [];
      for (const [template, item] of Object.entries(document.paths as JsonObject)) {
        for (const method of METHODS) {
          const operation = (item as JsonObject)[method];
          if (!isObject(operation)) continue;
          const body = isObject(operation.requestBody) ? (operation.requestBody.content as JsonObject) : null;
          out.push({
            template,
            method: method.toUpperCase(),
            secured: Array.isArray(operation.security) && operation.security.length > 0,
            bodyType: body ? (Object.keys(body)[0] ?? null) : null,
          });
        }
      }
      return out;
    },

    /** Problems with an answer: an undocumented status, media type, header or field. Empty when it matches. */
    checkAnswer(answer: Answer): string[] {
      const label = `${answer.method} ${answer.template} ${answer.status}`;
      const found = documentedResponse(answer.template, answer.method, answer.status);
      if (!found.response || !found.at) return found.problems;
      const response = found.response as JsonObject;
      const problems: string[] = [];

      for (const [name, raw] of Object.entries(isObject(response.headers) ? response.headers : {})) {
        const { value: header, at } = follow(document, raw, `${found.at}/headers/${escapePointer(name)}`);
        if (!isObject(header)) continue;
        const given = answer.headers.get(name);
        if (given === null) {
          if (header.required === true) problems.push(`${label}: header ${name} is missing`);
          continue;
        }
        if (isObject(header.schema)) {
          const validate = validatorAt(`${at}/schema`);
          if (!validate(given)) problems.push(`${label}: header ${name}: ${errorsOf(validate).join('; ')}`);
        }
      }

      const content = isObject(response.content) ? response.content : undefined;
      if (!content) {
        if (answer.body !== '') problems.push(`${label}: a body where the document says there is none`);
        return problems;
      }
      const type = (answer.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!Object.hasOwn(content, type)) {
        problems.push(`${label}: media type "${type}" is not documented (${Object.keys(content).join(', ')})`);
        return problems;
      }
      let body: unknown = answer.body;
      // A JSON media type is checked as JSON; another (a provider's XML, say) as the text it is.
      if (/json/.test(type)) {
        try {
          body = JSON.parse(answer.body);
        } catch {
          problems.push(`${label}: the body is not JSON`);
          return problems;
        }
      }
      const validate = validatorAt(`${found.at}/content/${escapePointer(type)}/schema`);
      if (!validate(body)) problems.push(`${label}: ${errorsOf(validate).join('; ')}`);
      return problems;
    },

    /** Problems with a request body the document describes (a request the server took must match it). */
    checkRequestBody(template: string, method: string, type: string, body: unknown): string[] {
      const pointer = `#/paths/${escapePointer(template)}/${method.toLowerCase()}/requestBody/content/${escapePointer(type)}/schema`;
      if (resolvePointer(document, pointer) === undefined) return [`${method} ${template}: no ${type} body documented`];
      const validate = validatorAt(pointer);
      return validate(body) ? [] : errorsOf(validate);
    },

    /** Compiles every schema the document holds: components, bodies, parameters, headers. */
    compileEverySchema(): string[] {
      const problems: string[] = [];
      const compile = (pointer: string) => {
        try {
          validatorAt(pointer);
        } catch (error) {
          problems.push(`${pointer}: ${error}`);
        }
      };
      const schemas = (document.components as JsonObject | undefined)?.schemas;
      for (const name of Object.keys(isObject(schemas) ? schemas : {}))
        compile(`#/components/schemas/${escapePointer(name)}`);
      const visit = (node: unknown, at: string) => {
        if (!isObject(node)) return;
        for (const [key, value] of Object.entries(node)) {
          const here = `${at}/${escapePointer(key)}`;
          // Schemas of media types, parameters and headers; components.schemas are compiled above.
          if (key === 'schema' && isObject(value)) compile(here);
          else if (key !== 'schemas') visit(value, here);
        }
      };
      visit(document.paths, '#/paths');
      visit(document.components, '#/components');
      return problems;
    },

    /** Problems with a value against a schema anywhere in the document (for its own examples). */
    checkValue(pointer: string, value: unknown): string[] {
      const validate = validatorAt(pointer);
      return validate(value) ? [] : errorsOf(validate);
    },
  };
}
