// The calendar values of batch windows' exceptions: a local date and a local date-time in the windows' time zone.
// Validated where they are made, as Duration and WeeklyTime are, so that a wrong one fails at the call that makes it,
// with the call and the value in the message.
import { formatNaive, formatNaiveDate, parseLocalDate, parseLocalDateTime } from './contract/local-time';
import { unscopedValidationError } from './private/errors';

const two = (n: number) => String(n).padStart(2, '0');
const isWhole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/**
 * A day of the calendar, in the batch windows' time zone: an excluded date.
 *
 * @example
 * const easterMonday = LocalDate.of(2027, 3, 29);
 * const sameDay = LocalDate.parse('2027-03-29');
 */
export class LocalDate {
  /**
   * The date of a year, a month and a day.
   * @param year 1970 to 9999
   * @param month 1 to 12
   * @param day 1 to the last day of the month
   */
  public static of(year: number, month: number, day: number): LocalDate {
    const text = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}`;
    if (!isWhole(year, 1970, 9999) || !isWhole(month, 1, 12) || !isWhole(day, 1, 31) || parseLocalDate(text) === undefined) {
      throw unscopedValidationError('InvalidLocalDate', `LocalDate.of(${year}, ${month}, ${day}): not a day of the calendar; give a year from 1970 to 9999, a month from 1 to 12 and a day of that month`);
    }
    return new LocalDate(text);
  }

  /**
   * The date written `YYYY-MM-DD`.
   * @param text e.g. `2027-03-29`
   */
  public static parse(text: string): LocalDate {
    const naive = parseLocalDate(text);
    if (naive === undefined || naive < 0) {
      throw unscopedValidationError('InvalidLocalDate', `LocalDate.parse(${JSON.stringify(text)}): not a local date YYYY-MM-DD of the calendar, such as 2027-03-29`);
    }
    return new LocalDate(formatNaiveDate(naive));
  }

  private constructor(private readonly text: string) {}

  /** `YYYY-MM-DD`. */
  public toString(): string {
    return this.text;
  }
}

/**
 * A wall-clock date and time, in the batch windows' time zone: the start or end of a one-off window.
 *
 * @example
 * const start = LocalDateTime.of(2027, 4, 3, 9, 0);
 * const end = LocalDateTime.parse('2027-04-03T13:00');
 */
export class LocalDateTime {
  /**
   * The date-time of a date, an hour and a minute.
   * @param year 1970 to 9999
   * @param month 1 to 12
   * @param day 1 to the last day of the month
   * @param hour 0 to 23
   * @param minute 0 to 59
   */
  public static of(year: number, month: number, day: number, hour: number, minute: number = 0): LocalDateTime {
    const text = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}`;
    if (!isWhole(year, 1970, 9999) || !isWhole(month, 1, 12) || !isWhole(day, 1, 31) || !isWhole(hour, 0, 23) || !isWhole(minute, 0, 59)
      || parseLocalDateTime(text) === undefined) {
      throw unscopedValidationError('InvalidLocalDateTime', `LocalDateTime.of(${year}, ${month}, ${day}, ${hour}, ${minute}): not a time of the calendar; ` +
        'give a year from 1970 to 9999, a month from 1 to 12, a day of that month, an hour from 0 to 23 and a minute from 0 to 59');
    }
    return new LocalDateTime(text);
  }

  /**
   * The date-time written `YYYY-MM-DDTHH:MM`.
   * @param text e.g. `2027-04-03T09:00`
   */
  public static parse(text: string): LocalDateTime {
    const naive = parseLocalDateTime(text);
    if (naive === undefined || naive < 0) {
      throw unscopedValidationError('InvalidLocalDateTime', `LocalDateTime.parse(${JSON.stringify(text)}): not a local date-time YYYY-MM-DDTHH:MM of the calendar, such as 2027-04-03T09:00`);
    }
    return new LocalDateTime(formatNaive(naive));
  }

  private constructor(private readonly text: string) {}

  /** `YYYY-MM-DDTHH:MM`. */
  public toString(): string {
    return this.text;
  }
}
