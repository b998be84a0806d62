import { field, FieldErrors, FormValues, parseForm } from '../web/form';
import { DEFAULT_PLAN, Plan, PLANS } from './plans';

export interface CompanyInput {
  name: string;
  plan: Plan;
  apiAddon: boolean;
}

const companyForm = {
  companyName: field.text(200),
  plan: field.defaulted(DEFAULT_PLAN, field.choice(PLANS)),
  apiAddon: field.checkbox(),
};

export function parseCompanyForm(body: unknown): { values: FormValues; errors: FieldErrors; input?: CompanyInput } {
  const { values, errors, data } = parseForm(companyForm, body);
  values.plan ||= DEFAULT_PLAN;
  values.apiAddon = ['on', 'true', '1'].includes(values.apiAddon) ? 'on' : '';
  return { values, errors, input: data && { name: data.companyName, plan: data.plan, apiAddon: data.apiAddon } };
}
