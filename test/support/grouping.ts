/** The page's grouping of messages (public/js/chat/grouping.js), typed for the tests that drive it. */
export interface GroupingItem {
  author: string;
  at: number;
  broken?: boolean;
}
export interface GroupingRow {
  day: string;
  newDay: boolean;
  continued: boolean;
}
export interface DayWords {
  today: string;
  yesterday: string;
  format: (date: Date) => string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { layout, dayLabel, dayOf, GROUP_GAP_MS } = require('../../public/js/chat/grouping.js') as {
  layout: (items: GroupingItem[], gap?: number) => GroupingRow[];
  dayLabel: (day: string, now: Date, words: DayWords) => string;
  dayOf: (date: Date) => string;
  GROUP_GAP_MS: number;
};
