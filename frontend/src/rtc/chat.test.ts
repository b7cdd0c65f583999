import { describe, expect, test } from 'vitest';
import { chatMessageOf, chatTextProblem, mergeChat } from './chat';

const msg = (seq: number, text = `m${seq}`) => ({ seq, at: '2026-12-07T09:00:00Z', fromId: 'PA_1', fromName: '张三', private: false, privateWithId: null, privateWithName: null, text });

describe('chat', () => {
  test('a history and live events merge in order, each once', () => {
    let list = mergeChat([], [msg(3), msg(5)]);
    list = mergeChat(list, [msg(7)]);
    list = mergeChat(list, [msg(3), msg(5)]); // a resume repeats the history
    list = mergeChat(list, [msg(4)]);
    expect(list.map((m) => m.seq)).toEqual([3, 4, 5, 7]);
  });

  test('messages are read as the server sends them; anything else is not one', () => {
    expect(chatMessageOf({ seq: 3, at: 'x', fromId: 'PA_1', fromName: 'a', private: true, privateWithId: 'PA_1', privateWithName: 'a', text: '<b>' })).toMatchObject({
      private: true,
      privateWithId: 'PA_1',
      text: '<b>',
    });
    expect(chatMessageOf({ seq: 3, fromId: 'PA_1' })).toBeNull();
    expect(chatMessageOf(null)).toBeNull();
  });

  test('what may be sent', () => {
    expect(chatTextProblem(' \\n ')).toBeNull();
    expect(chatTextProblem('  ')).toBe('empty');
    expect(chatTextProblem('字'.repeat(2000))).toBeNull();
    expect(chatTextProblem('字'.repeat(2001))).toBe('tooLong');
  });
});
