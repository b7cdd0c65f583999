import { describe, expect, it } from 'vitest';
import * as v from './validation';

describe('validation', () => {
  it('emails', () => {
    expect(v.email('li.lei@example.com')).toBeNull();
    expect(v.email('')).toEqual({ key: 'required' });
    expect(v.email('not-an-email')).toEqual({ key: 'email' });
    expect(v.email('a@b')).toEqual({ key: 'email' });
  });
  it('phones: mainland mobiles or +country numbers', () => {
    expect(v.phone('')).toBeNull();
    expect(v.phone('138 0013 8000')).toBeNull();
    expect(v.phone('+85212345678')).toBeNull();
    expect(v.phone('12345')).toEqual({ key: 'phone' });
    expect(v.phone('12800138000')).toEqual({ key: 'phone' });
    expect(v.phone('+86 (138) 0013-8000')).toBeNull();
  });
  it('phones normalise as the server keeps them, so every spelling is one account', () => {
    for (const s of ['138 0013 8000', '+8613800138000', '13800138000', '+86 138-0013-8000', '138\u30000013\u30008000'])
      expect(v.normalizePhone(s)).toBe('13800138000');
    expect(v.normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(v.normalizePhone('+0123456789')).toBeNull();
    expect(v.normalizePhone('+1234567')).toBeNull();
  });
  it('a member needs an email or a phone number', () => {
    expect(v.emailOrPhone('', ' ')).toEqual({ key: 'emailOrPhone' });
    expect(v.emailOrPhone('a@b.cn', '')).toBeNull();
    expect(v.emailOrPhone('', '13800138000')).toBeNull();
  });
  it('the sign-in field takes an email or a phone number', () => {
    expect(v.signInName(' Li@Acme.cn ')).toEqual({ email: 'Li@Acme.cn' });
    expect(v.signInName('138 0013 8000')).toEqual({ phone: '138 0013 8000' });
    expect(v.signInProblem('')).toEqual({ key: 'required' });
    expect(v.signInProblem('li@acme.cn')).toBeNull();
    expect(v.signInProblem('+86 138 0013 8000')).toBeNull();
    expect(v.signInProblem('li@acme')).toEqual({ key: 'signInName' });
    expect(v.signInProblem('1380013')).toEqual({ key: 'signInName' });
    expect(v.signInProblem('zhangsan')).toEqual({ key: 'signInName' });
  });
  it('room passwords and numbers follow the server', () => {
    expect(v.roomPassword('')).toBeNull();
    expect(v.roomPassword('1234')).toBeNull();
    expect(v.roomPassword('123')).toEqual({ key: 'roomPassword' });
    expect(v.roomPassword('12ab')).toEqual({ key: 'roomPassword' });
    expect(v.roomNumber('8000')).toBeNull();
    expect(v.roomNumber('0800')).toEqual({ key: 'roomNumber' });
    expect(v.roomNumber('123456789012')).toEqual({ key: 'roomNumber' });
  });
  it('meeting passwords and numbers', () => {
    expect(v.meetingPassword('')).toBeNull();
    expect(v.meetingPassword('a\u0007b')).toEqual({ key: 'control' });
    expect(v.sipFriendly('123456')).toBe(true);
    expect(v.sipFriendly('abc')).toBe(false);
    expect(v.normalizeMeetingNumber('123 456-7890')).toBe('1234567890');
    expect(v.meetingNumber('123 456 7890')).toBeNull();
    expect(v.meetingNumber('12a')).toEqual({ key: 'meetingNumber' });
  });
  it('account passwords, domains, colours, codes', () => {
    expect(v.accountPassword('short')).toEqual({ key: 'passwordShort', values: { min: 8 } });
    expect(v.accountPassword('long enough')).toBeNull();
    expect(v.domain('meet.example.com')).toBeNull();
    expect(v.domain('localhost')).toEqual({ key: 'domain' });
    expect(v.domain('-bad.example.com')).toEqual({ key: 'domain' });
    expect(v.color('#1677ff')).toBeNull();
    expect(v.color('blue')).toEqual({ key: 'color' });
    expect(v.enterpriseCode('acme-2')).toBeNull();
    expect(v.enterpriseCode('Acme')).toEqual({ key: 'enterpriseCode' });
    expect(v.employeeNo('E-001_a')).toBeNull();
    expect(v.employeeNo('工号')).toEqual({ key: 'employeeNo' });
  });
  it('ranges and text', () => {
    expect(v.intInRange(25, 2, 10000)).toBeNull();
    expect(v.intInRange(1, 2, 10000)).toEqual({ key: 'range', values: { min: 2, max: 10000 } });
    expect(v.intInRange(2.5, 2, 10)).toEqual({ key: 'range', values: { min: 2, max: 10 } });
    expect(v.intInRange(undefined, 2, 10)).toEqual({ key: 'required' });
    expect(v.text('  ', 10)).toEqual({ key: 'required' });
    expect(v.text('会议'.repeat(6), 10)).toEqual({ key: 'maxLength', values: { max: 10 } });
  });
  it('splits pasted email lists with Chinese punctuation', () => {
    expect(v.splitEmails('a@x.com，B@x.com; bad、<c@y.org>\na@x.com')).toEqual({ valid: ['a@x.com', 'b@x.com', 'c@y.org'], invalid: ['bad'] });
  });
  it('generates six-digit passwords', () => {
    expect(v.generatePassword(() => 0.55)).toBe('555555');
    expect(v.generatePassword()).toMatch(/^\d{6}$/);
  });
});
