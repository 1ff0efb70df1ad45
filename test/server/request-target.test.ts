import { describe, expect, it } from 'vitest';
import { originForm } from '../../src/server/request-target.ts';

describe('originForm', () => {
  it('keeps an origin-form target as it is', () => {
    expect(originForm('/r/AbC?lang=en', 'zhenxin.example')).toBe('/r/AbC?lang=en');
  });

  it('takes an absolute-form target by its path when its host is the Host header’s', () => {
    expect(originForm('http://zhenxin.example/verify', 'zhenxin.example')).toBe('/verify');
    expect(originForm('HTTPS://Zhenxin.Example:8443/a?b=c', 'zhenxin.example:8443')).toBe('/a?b=c');
    expect(originForm('http://zhenxin.example', 'zhenxin.example')).toBe('/');
    expect(originForm('http://zhenxin.example?x=1', 'zhenxin.example')).toBe('/?x=1');
  });

  it('refuses another host, a user name, a missing Host and every other form', () => {
    expect(originForm('http://evil.example/verify', 'zhenxin.example')).toBeNull();
    expect(originForm('http://zhenxin.example.evil.example/', 'zhenxin.example')).toBeNull();
    expect(originForm('http://user@zhenxin.example/', 'zhenxin.example')).toBeNull();
    expect(originForm('http://zhenxin.example/', undefined)).toBeNull();
    expect(originForm('http:///verify', '')).toBeNull();
    expect(originForm('*', 'zhenxin.example')).toBeNull();
    expect(originForm('zhenxin.example:443', 'zhenxin.example')).toBeNull();
    expect(originForm('ftp://zhenxin.example/', 'zhenxin.example')).toBeNull();
  });
});
