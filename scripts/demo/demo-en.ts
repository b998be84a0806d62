import type { DemoCompany } from './demo-script';

/** The English-speaking demo company: a smaller team, its conversations in English. */
export const DEMO_EN: DemoCompany = {
  name: 'Demo Ltd',
  plan: 'professional',
  apiAddon: false,
  locale: 'en',
  people: [
    { key: 'alice', name: 'Alice Morgan', email: 'alice@demo-ltd.gwar.test', role: 'admin' },
    { key: 'ben', name: 'Ben Carter', email: 'ben@demo-ltd.gwar.test', role: 'director' },
    { key: 'chloe', name: 'Chloe Evans', email: 'chloe@demo-ltd.gwar.test', role: 'user' },
    { key: 'daniel', name: 'Daniel Hughes', email: 'daniel@demo-ltd.gwar.test', role: 'user' },
    { key: 'emma', name: 'Emma Wilson', email: 'emma@demo-ltd.gwar.test', role: 'user' },
    { key: 'frank', name: 'Frank Turner', email: 'frank@demo-ltd.gwar.test', role: 'user' },
  ],
  records: [
    {
      key: 'harbour',
      kind: 'companies',
      by: 'alice',
      at: 'D-4 09:00',
      values: { name: 'Harbour Foods plc', phone: '+44 20 7946 0123', email: 'buying@harbour.example.co.uk', website: 'https://harbour.example.co.uk' },
    },
    {
      key: 'pennine',
      kind: 'companies',
      by: 'ben',
      at: 'D-4 09:15',
      values: { name: 'Pennine Outdoor Ltd', phone: '+44 161 496 0456', email: 'office@pennine.example.co.uk' },
    },
  ],
  conversations: [
    {
      group: { name: 'Sales', by: 'ben', members: ['alice', 'chloe', 'daniel'] },
      unread: { alice: 2 },
      lines: [
        { from: 'ben', at: 'D-3 09:00', text: 'Morning all! This is our sales room from now on.' },
        {
          key: 'harbourCall',
          from: 'chloe',
          at: 'D-3 09:20',
          text: 'Harbour Foods want a quote for 200 seats before Friday: {crm:harbour}',
          makes: {
            key: 'harbourTask',
            kind: 'tasks',
            by: 'ben',
            after: 3,
            at: 'D-3 09:23',
            values: { name: 'Send Harbour Foods a quote for 200 seats', status: 'in_progress', dueDate: '+2' },
            refs: { assignee: 'chloe', crmCompany: 'harbour' },
          },
        },
        { from: 'daniel', at: 'D-3 11:00', file: 'chart', fileName: 'pipeline-q4.png' },
        {
          from: 'daniel',
          at: 'D-3 11:01',
          text: 'Pipeline for the quarter — November was our best month yet',
          editedTo: { text: 'Pipeline for the quarter — November was our **best month ever**', after: 2 },
        },
        { from: 'chloe', at: 'D-2 10:00', text: 'Oops, wrong window', deletedAfter: 1 },
        {
          from: 'alice',
          at: 'D-2 14:30',
          text: 'Pennine Outdoor are keen on the Enterprise plan, about £40k a year.',
          makes: {
            key: 'pennineDeal',
            kind: 'opportunities',
            by: 'alice',
            after: 2,
            at: 'D-2 14:32',
            values: { name: 'Pennine Outdoor — Enterprise plan', value: '40000', currency: 'GBP', stage: 'proposal' },
            refs: { owner: 'alice', crmCompany: 'pennine' },
          },
        },
        { from: 'alice', at: 'D-2 14:40', file: 'offer', fileName: 'pennine-proposal.pdf' },
        { from: 'chloe', at: '-60m', text: 'Harbour Foods signed! 🎉' },
        { from: 'daniel', at: '-15m', text: '@Alice can you approve the 5% discount for Pennine today?' },
      ],
    },
    {
      group: { name: 'Support', by: 'alice', members: ['emma', 'frank', 'ben'] },
      unread: { alice: 1 },
      lines: [
        { from: 'alice', at: 'D-3 08:40', text: 'Support team room. Mark anything urgent with **URGENT**.' },
        {
          key: 'export',
          from: 'emma',
          at: 'D-2 09:30',
          text: 'URGENT: Harbour Foods cannot export invoices since this morning.',
          makes: {
            key: 'exportNote',
            kind: 'notes',
            by: 'frank',
            after: 5,
            at: 'D-2 09:35',
            values: { text: 'Harbour Foods: invoice export fails\nA proxy strips the download header; they have whitelisted us.' },
            refs: { crmCompany: 'harbour' },
          },
        },
        { from: 'frank', at: 'D-2 09:50', replyTo: 'export', text: 'Fixed — their proxy was stripping a header ✅' },
        { from: 'emma', at: 'D-1 13:00', file: 'booth', fileName: 'trade-fair-stand.jpg' },
        { from: 'emma', at: '-40m', text: 'Stand is ready for tomorrow’s fair!' },
      ],
    },
    {
      direct: ['chloe', 'alice'],
      unread: { alice: 1 },
      lines: [
        { from: 'chloe', at: 'D-1 10:00', text: 'Alice, have you got a minute for the Harbour contract?' },
        { from: 'alice', at: 'D-1 10:05', text: 'Sure, call me after lunch.' },
        { from: 'chloe', at: '-20m', text: 'Contract is signed and scanned, sending it over.' },
      ],
    },
  ],
  offer: ['Proposal - Pennine Outdoor Ltd', 'Gwar Enterprise plan, 60 users', 'Onboarding and training: 4 weeks', 'Price: GBP 40,000 per year', 'Demo Ltd'],
};
