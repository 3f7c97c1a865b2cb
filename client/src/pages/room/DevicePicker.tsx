/**
 * Before joining: pick the camera and microphone, see yourself, watch the microphone's level,
 * choose whether each starts on, then join. Attendees receive only, so their preview is
 * optional; hosts and speakers get it at once.
 */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { LocalChoice } from './room-media.ts';

export function DevicePicker(props: { publishes: boolean; onJoin: (choice: LocalChoice) => void; joining: boolean }) {
  const [cameras, setCameras] = createSignal<MediaDeviceInfo[]>([]);
  const [microphones, setMicrophones] = createSignal<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = createSignal('');
  const [microphoneId, setMicrophoneId] = createSignal('');
  const [cameraOn, setCameraOn] = createSignal(true);
  const [microphoneOn, setMicrophoneOn] = createSignal(true);
  const [level, setLevel] = createSignal(0);
  const [previewing, setPreviewing] = createSignal(false);
  const [problem, setProblem] = createSignal('');
  let video: HTMLVideoElement | undefined;
  let stream: MediaStream | undefined;
  let audio: AudioContext | undefined;
  let frame = 0;

  const stopMeter = () => {
    cancelAnimationFrame(frame);
    void audio?.close().catch(() => {});
    audio = undefined;
  };
  const stop = () => {
    stopMeter();
    stream?.getTracks().forEach((t) => t.stop());
    stream = undefined;
  };

  const preview = async () => {
    stop();
    setProblem('');
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        // What publishing asks for, so that the same stream can go on stage.
        video: cameraOn() ? { width: { ideal: 960 }, height: { ideal: 540 }, ...(cameraId() ? { deviceId: { exact: cameraId() } } : {}) } : false,
        audio: microphoneOn() ? (microphoneId() ? { deviceId: { exact: microphoneId() } } : true) : false,
      });
    } catch (error) {
      if (cameraOn() || microphoneOn()) setProblem(`Your camera or microphone is not available: ${(error as Error).message}`);
      setPreviewing(true);
      return;
    }
    setPreviewing(true);
    if (video) video.srcObject = stream;
    const devices = await navigator.mediaDevices.enumerateDevices();
    setCameras(devices.filter((d) => d.kind === 'videoinput'));
    setMicrophones(devices.filter((d) => d.kind === 'audioinput'));
    const track = stream.getAudioTracks()[0];
    if (track) meter(new MediaStream([track]));
  };

  // The level meter: the loudest sample of each frame, smoothed.
  const meter = (source: MediaStream) => {
    audio = new AudioContext();
    const analyser = audio.createAnalyser();
    analyser.fftSize = 512;
    audio.createMediaStreamSource(source).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
      setLevel((previous) => Math.max(peak, previous * 0.85));
      frame = requestAnimationFrame(tick);
    };
    tick();
  };

  onMount(() => {
    if (props.publishes) void preview();
  });
  onCleanup(stop);

  // Whoever publishes takes the preview's stream on stage (getUserMedia already done); the rest stop it.
  const join = () => {
    stopMeter();
    const handed = props.publishes ? stream : undefined;
    if (handed) stream = undefined;
    else stop();
    props.onJoin({ cameraId: cameraId() || undefined, microphoneId: microphoneId() || undefined, camera: cameraOn(), microphone: microphoneOn(), stream: handed });
  };

  return (
    <section class="prejoin card" aria-labelledby="prejoin-title">
      <h2 id="prejoin-title" class="prejoin__title">{props.publishes ? 'Check your camera and microphone' : 'Ready to join'}</h2>
      <Show when={!props.publishes}>
        <p class="prejoin__lead">You join as part of the audience: you see and hear the stage. If a host brings you on stage, your browser will ask for your camera and microphone.</p>
      </Show>
      <Show when={props.publishes || previewing()}>
        <div class="prejoin__preview">
          <video ref={video} class="prejoin__video" autoplay playsinline muted aria-label="Your camera preview" />
          <div class="meter" role="meter" aria-label="Microphone level" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level() * 100)}>
            <div class="meter__fill" style={{ width: `${Math.min(100, Math.round(level() * 140))}%` }} />
          </div>
        </div>
        <div class="form__row">
          <label class="field">
            <span class="field__label">Camera</span>
            <select class="field__input" value={cameraId()} onChange={(e) => { setCameraId(e.currentTarget.value); void preview(); }}>
              <option value="">Default camera</option>
              <For each={cameras()}>{(d, i) => <option value={d.deviceId}>{d.label || `Camera ${i() + 1}`}</option>}</For>
            </select>
          </label>
          <label class="field">
            <span class="field__label">Microphone</span>
            <select class="field__input" value={microphoneId()} onChange={(e) => { setMicrophoneId(e.currentTarget.value); void preview(); }}>
              <option value="">Default microphone</option>
              <For each={microphones()}>{(d, i) => <option value={d.deviceId}>{d.label || `Microphone ${i() + 1}`}</option>}</For>
            </select>
          </label>
        </div>
        <div class="prejoin__toggles">
          <label class="check"><input type="checkbox" checked={cameraOn()} onChange={(e) => { setCameraOn(e.currentTarget.checked); void preview(); }} /> Start with my camera on</label>
          <label class="check"><input type="checkbox" checked={microphoneOn()} onChange={(e) => { setMicrophoneOn(e.currentTarget.checked); void preview(); }} /> Start with my microphone on</label>
        </div>
      </Show>
      <Show when={problem()}><p class="form-alert" role="alert">{problem()}</p></Show>
      <div class="prejoin__actions">
        <Show when={!props.publishes && !previewing()}>
          <button type="button" class="button" onClick={() => void preview()}>Test camera and microphone</button>
        </Show>
        <button type="button" class="button button--primary" onClick={join} aria-disabled={props.joining} disabled={props.joining}>
          {props.joining ? 'Joining…' : 'Join now'}
        </button>
      </div>
    </section>
  );
}
