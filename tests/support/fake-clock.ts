/**
 * A clock for tests of timing: time moves only when someone sleeps, by exactly what they asked,
 * and every sleep is recorded, so delays are asserted to the millisecond without waiting.
 */
import { Clock } from "pulumi-intune-domain-join/internal/config/clock";

export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public time = 0) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}
