/**
 * Passwords that are long enough for the length rule but appear at the top of every
 * leaked-password list. Compared case-insensitively, ignoring spaces.
 */
const COMMON = new Set([
  "1234567890", "12345678910", "0123456789", "1111111111", "0000000000", "9876543210", "1234512345",
  "123456789a", "a123456789", "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop", "qwerty1234", "qwerty12345",
  "qwertyuiop1", "asdfghjkl1", "zxcvbnm123", "password12", "password123", "password1234", "passw0rd123",
  "p@ssw0rd123", "password!1", "iloveyou12", "iloveyou123", "letmein123", "welcome123", "welcome1234",
  "abc1234567", "abcdefghij", "abcd123456", "changeme123", "football123", "baseball123", "superman123",
  "sunshine123", "princess123", "dragon1234", "monkey12345", "master1234", "trustno1234", "starwars123",
  "administrator", "admin12345", "admin123456", "adminadmin", "rootroot12", "test123456", "testtest12",
  "qazwsxedcrfv", "1q2w3e4r5t6y", "zaq12wsxcde3", "football1", "correcthorsebatterystaple", "plenary123",
  "plenary1234", "secret1234", "letmeinplease", "whatever123", "computer123", "internet123", "michael123",
]);

export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase().replace(/\s+/g, ""));
}
