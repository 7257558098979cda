import { describeMonthLongWait } from './month-long-wait.scenario';

// 30 days in one run: see month-long-wait.scenario.ts.
describeMonthLongWait({ rollOver: false });
