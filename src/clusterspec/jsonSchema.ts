/** The published JSON Schema of ClusterSpec, derived from the zod schema (never written by hand). */
import * as z from 'zod';
import { clusterSpecSchema } from './schema';
import { numberText } from './fields';

export const SCHEMA_ID = 'https://capi-proxmox-talos.dev/schema/v1alpha1/clusterspec.schema.json';

export function clusterSpecJSONSchema(): Record<string, unknown> {
  // io: 'input' — what a user may write: fields with defaults are optional.
  const schema = z.toJSONSchema(clusterSpecSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === numberText) ctx.jsonSchema.type = 'number';
    },
  }) as Record<string, unknown>;
  return { ...schema, $id: SCHEMA_ID, title: 'ClusterSpec (capi-proxmox-talos.dev/v1alpha1)' };
}
