import { z } from 'zod';
import { id, listArgs } from './shared.js';
import { defineOperation } from './types.js';

/** SqlSnippetAttributes and SqlSnippetRelationships as the reference defines them for create and update. */
const attributes = {
  name: z.string().min(1),
  description: z.string().optional(),
  text: z.string().min(1),
  params: z.string().optional(),
  // "A SQL snippet is always associated with a particular datasource."
  datasource_id: id,
  sql_snippet_ids: z.array(id).optional(),
};

const relationships = {
  datasource_id: { name: 'datasource', type: 'datasources', many: false },
  sql_snippet_ids: { name: 'sql_snippets', type: 'sql_snippets', many: true },
};

export const sqlSnippetOperations = [
  defineOperation({
    id: 'createSqlSnippet',
    title: 'Create SQL Snippet',
    toolset: 'sql_snippets',
    route: 'POST /sql_snippets',
    description: 'A reusable SQL fragment for one datasource.',
    input: z.object(attributes),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'sql_snippets', relationships },
  }),
  defineOperation({
    id: 'listSqlSnippets',
    title: 'List SQL Snippets',
    toolset: 'sql_snippets',
    route: 'GET /sql_snippets',
    description: 'List SQL snippets.',
    input: z.object(listArgs),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'description', 'datasource_id'] },
  }),
  defineOperation({
    id: 'getSqlSnippet',
    title: 'Get SQL Snippet',
    toolset: 'sql_snippets',
    route: 'GET /sql_snippets/{id}',
    description: 'Get a SQL snippet.',
    input: z.object({ id, include: z.enum(['datasource', 'sql_snippets']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateSqlSnippet',
    title: 'Update SQL Snippet',
    toolset: 'sql_snippets',
    route: 'PATCH /sql_snippets/{id}',
    description: 'Change a SQL snippet; renaming breaks SQL using it.',
    input: z.object({
      id,
      ...attributes,
      name: attributes.name.optional(),
      text: attributes.text.optional(),
      datasource_id: attributes.datasource_id.optional(),
    }),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'sql_snippets', relationships },
  }),
  defineOperation({
    id: 'deleteSqlSnippet',
    title: 'Delete SQL Snippet',
    toolset: 'sql_snippets',
    route: 'DELETE /sql_snippets/{id}',
    description: 'Delete a SQL snippet; SQL using it breaks.',
    input: z.object({ id }),
    access: 'write',
    invalidates: ['search-index'],
    present: { kind: 'done', message: (a) => `SQL snippet ${a.id} deleted.` },
  }),
];
