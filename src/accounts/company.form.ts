import { checkbox, FieldErrors, FormValues, oneOf, requireText, text } from '../web/form';
import { Plan, PLANS } from './company.entity';

export interface CompanyInput {
  name: string;
  plan: Plan;
  apiAddon: boolean;
}

export function parseCompanyForm(body: unknown): { values: FormValues; errors: FieldErrors; input: CompanyInput } {
  const errors: FieldErrors = {};
  const values = {
    companyName: text(body, 'companyName'),
    plan: text(body, 'plan') || 'professional',
    apiAddon: checkbox(body, 'apiAddon') ? 'on' : '',
  };
  const input = {
    name: requireText(errors, 'companyName', values.companyName, 200),
    plan: oneOf(errors, 'plan', values.plan, PLANS),
    apiAddon: values.apiAddon === 'on',
  };
  return { values, errors, input };
}
