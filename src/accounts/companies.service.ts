import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Company } from './company.entity';
import { CompanyInput } from './company.form';
import type { Subscription } from './plans';
import { NewUserInput } from './user.form';
import { CreatedUser, UsersService } from './users.service';

/** The operator changed a company's plan or API add-on: what it has now. */
export interface CompanyPlanChanged extends Subscription {
  companyId: number;
}

export interface CompanyRow {
  company: Company;
  users: number;
}

/** The operator's view of the company accounts; only operator admins reach it. */
@Injectable()
export class CompaniesService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly events: EventEmitter2,
  ) {}

  async list(): Promise<CompanyRow[]> {
    const companies = await this.em.find(Company, {}, { orderBy: { name: 'asc', id: 'asc' } });
    const counts = await this.em
      .getConnection()
      .execute<{ company_id: number; n: string }[]>(
        `/* all companies: the operator's list counts every company's users */ select company_id, count(*) as n from app_user group by company_id`,
      );
    const byCompany = new Map(counts.map((row) => [row.company_id, Number(row.n)]));
    return companies.map((company) => ({ company, users: byCompany.get(company.id) ?? 0 }));
  }

  async get(id: number): Promise<Company> {
    const company = Number.isSafeInteger(id) ? await this.em.findOne(Company, { id }) : null;
    if (!company) throw new NotFoundException();
    return company;
  }

  async create(input: CompanyInput, admin: NewUserInput): Promise<{ company: Company } & CreatedUser> {
    return this.em.transactional(async () => {
      const company = new Company(input.name, input.plan, input.apiAddon);
      this.em.persist(company);
      const created = await this.users.create(company, { ...admin, role: 'admin' });
      return { company, ...created };
    });
  }

  async update(company: Company, input: CompanyInput): Promise<void> {
    const planChanged = company.plan !== input.plan || company.apiAddon !== input.apiAddon;
    company.name = input.name;
    company.plan = input.plan;
    company.apiAddon = input.apiAddon;
    await this.em.flush();
    // After the commit: open pages of the company redraw what the plan shows (nothing is deleted by a downgrade).
    if (planChanged) {
      this.events.emit('company.plan-changed', { companyId: company.id, plan: company.plan, apiAddon: company.apiAddon } satisfies CompanyPlanChanged);
    }
  }
}
