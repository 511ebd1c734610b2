// Photos shrunk on the phone before they are queued, and the client's signature pad.
const MAX_SIDE = 1600;
const JPEG_QUALITY = 0.7;

function canvasBlob(canvas, type, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob"))), type, quality);
  });
}

// A camera photo as a JPEG at most MAX_SIDE pixels on its long side (EXIF rotation applied).
export async function compressPhoto(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvasBlob(canvas, "image/jpeg", JPEG_QUALITY);
}

// Draw with a finger, a pen or the mouse (pointer events); `png()` gives the signature.
export function signaturePad(canvas) {
  const context = canvas.getContext("2d");
  let drawing = false;
  let drawn = false;
  const reset = () => {
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.lineWidth = 3;
    context.lineCap = context.lineJoin = "round";
    context.strokeStyle = "#10233f";
    drawn = false;
  };
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
  };
  canvas.style.touchAction = "none";
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    context.beginPath();
    context.moveTo(...at(event));
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    context.lineTo(...at(event));
    context.stroke();
    drawn = true;
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  reset();
  return {
    clear: reset,
    isEmpty: () => !drawn,
    png: () => canvasBlob(canvas, "image/png"),
  };
}
