import { CrmCompany } from './crm-company.entity';
import { CrmNote } from './crm-note.entity';
import { CrmOpportunity, CURRENCIES, STAGES } from './crm-opportunity.entity';
import type { CrmRecord } from './crm-record';
import { CrmTask, TASK_STATUSES } from './crm-task.entity';

export type FieldType = 'text' | 'textarea' | 'email' | 'url' | 'tel' | 'date' | 'money' | 'choice' | 'user' | 'crmCompany';

export interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  max?: number;
  choices?: readonly string[];
  /** Shown as a column on the list page. */
  column?: boolean;
  /** Offered as a filter on the list page. */
  filter?: boolean;
}

export interface KindDef {
  slug: 'companies' | 'tasks' | 'notes' | 'opportunities';
  /** The object's kind in one word, for links in messages: "task", "company"… */
  singular: 'company' | 'task' | 'note' | 'opportunity';
  entity: new () => CrmRecord;
  fields: FieldDef[];
  /** The field whose value a link to the object shows beside its name. */
  statusField?: 'status' | 'stage';
}

/** The four kinds of the small CRM, described once; the pages, forms and links are made from this. */
export const KINDS: KindDef[] = [
  {
    slug: 'companies',
    singular: 'company',
    entity: CrmCompany,
    fields: [
      { name: 'name', type: 'text', required: true, max: 200, column: true },
      { name: 'taxId', type: 'text', max: 40, column: true },
      { name: 'address', type: 'text', max: 300 },
      { name: 'phone', type: 'tel', max: 40, column: true },
      { name: 'email', type: 'email', max: 254, column: true },
      { name: 'website', type: 'url', max: 300 },
    ],
  },
  {
    slug: 'tasks',
    singular: 'task',
    entity: CrmTask,
    statusField: 'status',
    fields: [
      { name: 'name', type: 'text', required: true, max: 200, column: true },
      { name: 'description', type: 'textarea', max: 10_000 },
      { name: 'status', type: 'choice', choices: TASK_STATUSES, required: true, column: true, filter: true },
      { name: 'dueDate', type: 'date', column: true },
      { name: 'assignee', type: 'user', column: true, filter: true },
      { name: 'crmCompany', type: 'crmCompany', column: true, filter: true },
    ],
  },
  {
    slug: 'notes',
    singular: 'note',
    entity: CrmNote,
    fields: [
      { name: 'text', type: 'textarea', required: true, max: 10_000 },
      { name: 'crmCompany', type: 'crmCompany', column: true, filter: true },
    ],
  },
  {
    slug: 'opportunities',
    singular: 'opportunity',
    entity: CrmOpportunity,
    statusField: 'stage',
    fields: [
      { name: 'name', type: 'text', required: true, max: 200, column: true },
      { name: 'crmCompany', type: 'crmCompany', column: true, filter: true },
      { name: 'value', type: 'money', column: true },
      { name: 'currency', type: 'choice', choices: CURRENCIES, required: true },
      { name: 'stage', type: 'choice', choices: STAGES, required: true, column: true, filter: true },
      { name: 'owner', type: 'user', column: true, filter: true },
    ],
  },
];

export function kindOf(slug: string): KindDef | undefined {
  return KINDS.find((k) => k.slug === slug);
}
