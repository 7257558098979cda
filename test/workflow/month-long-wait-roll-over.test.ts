import { describeMonthLongWait } from './month-long-wait.scenario';

// 30 days, continued as new about ten times: `npm run test:month` (see month-long-wait.scenario.ts).
describeMonthLongWait({ rollOver: true });
