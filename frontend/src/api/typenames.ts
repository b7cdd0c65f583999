// urql's document cache refetches a query after a mutation that returns one of the
// types in the query's result. A list that is empty holds no such type, so list
// queries name what they list here (stable objects: context must not change per render).
import type { OperationContext } from 'urql';

const ctx = (...names: string[]): Partial<OperationContext> => ({ additionalTypenames: names });

export const listsOf = {
  enterprises: ctx('Enterprise'),
  rooms: ctx('Room'),
  members: ctx('User'),
  groups: ctx('Group'),
  meetings: ctx('Meeting', 'ScheduledMeeting', 'MeetingRun'),
  runs: ctx('MeetingRun', 'Meeting'),
};
