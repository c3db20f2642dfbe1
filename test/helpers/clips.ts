/** Clips made with raw ffmpeg for what the storyboard's placeholder cards cannot show. */
import { execa } from 'execa';
import { ffmpegPath } from '../../src/media/binaries.js';

/**
 * 5 s of grey with a quiet 440 Hz tone and a full-scale click every half second: -24.6 LUFS with
 * peaks at 0 dBFS, so a gain alone to a loudness target would clip every click (the limiter's case).
 */
export async function makeClickTrackClip(
  file: string,
  size: { width: number; height: number },
): Promise<void> {
  await execa(ffmpegPath(), [
    ...['-v', 'error', '-f', 'lavfi', '-i', `color=c=gray:s=${size.width}x${size.height}:r=24:d=5`],
    ...['-f', 'lavfi', '-i', "aevalsrc='if(lt(mod(t,0.5),0.003),0.9,0.02*sin(2*PI*440*t))':s=48000:d=5"],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'],
    ...['-y', file],
  ]);
}
