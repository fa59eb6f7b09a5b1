import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isInstructor, parseRoles, shortRoleNames } from '../../src/lti/roles.js';

const DEFAULT = ['Instructor', 'Administrator', 'ContentDeveloper', 'Manager', 'TeachingAssistant'];

describe('roles', () => {
  const names: Array<[string, string[]]> = [
    ['Instructor', ['Instructor']],
    ['urn:lti:role:ims/lis/Instructor', ['Instructor']],
    ['urn:lti:role:ims/lis/Instructor/TeachingAssistant', ['Instructor', 'TeachingAssistant']],
    ['urn:lti:instrole:ims/lis/Administrator', ['Administrator']],
    ['urn:lti:sysrole:ims/lis/SysAdmin', ['SysAdmin']],
    ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner', ['Learner']],
    ['http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant', ['Instructor', 'TeachingAssistant']],
    ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty', ['Faculty']],
  ];
  for (const [role, expected] of names) {
    it(`reads ${role}`, () => assert.deepEqual(shortRoleNames(role), expected));
  }

  it('splits comma lists and drops blanks', () => {
    assert.deepEqual(parseRoles(' Learner, ,Instructor '), ['Learner', 'Instructor']);
    assert.deepEqual(parseRoles(undefined), []);
    assert.deepEqual(parseRoles(['a', ' ']), ['a']);
  });

  const table: Array<[string[], boolean]> = [
    [['Learner'], false],
    [['Learner', 'urn:lti:role:ims/lis/Instructor'], true],
    [['urn:lti:role:ims/lis/Mentor'], false],
    [['urn:lti:instrole:ims/lis/Student'], false],
    [['instructor'], true],
    [[], false],
    [['Manager'], true],
    [['urn:lti:role:ims/lis/Learner/NonCreditLearner'], false],
  ];
  for (const [roles, expected] of table) {
    it(`${JSON.stringify(roles)} → ${expected ? 'instructor' : 'student'}`, () => assert.equal(isInstructor(roles, DEFAULT), expected));
  }
});

describe('roles from unknown vocabularies', () => {
  it('reads only the last segment of an unknown URI', () => {
    assert.deepEqual(shortRoleNames('https://example.org/roles#Instructor'), ['Instructor']);
    assert.deepEqual(shortRoleNames('urn:example:Learner'), ['urn:example:Learner'.split(':').pop()]);
  });
});
