// The first-run page: nothing leaves the browser until the reader agrees here. Consent is
// for one server address; when the address changes, this page asks again.

const api = globalThis.browser ?? chrome;

const MSG_GET_SETTINGS = "get-settings";
const MSG_GIVE_CONSENT = "give-consent";

const serverInput = document.getElementById("server-url");
const result = document.getElementById("result");

async function main() {
  const { settings, consent } = await api.runtime.sendMessage({ type: MSG_GET_SETTINGS });
  serverInput.value = settings.serverUrl;
  if (consent.given) showAgreed(settings.serverUrl);
  if (consent.serverChanged) {
    const notice = document.getElementById("server-changed");
    notice.hidden = false;
    notice.textContent = `The server address has changed. You agreed to send page text to `
      + `${consent.consentedServerUrl}; the address is now ${settings.serverUrl}. Nothing is sent `
      + "to it until you agree below.";
  }
}

function originPattern(address) {
  try {
    const url = new URL(address);
    return `${url.protocol}//${url.hostname}/*`;
  } catch {
    return null;
  }
}

document.getElementById("agree").addEventListener("click", async () => {
  const pattern = originPattern(serverInput.value.trim());
  if (!pattern || !/^https?:/.test(pattern)) {
    result.className = "error";
    result.textContent = "The server address must start with http:// or https://.";
    return;
  }
  // Asked inside the click, as browsers require. Firefox lets the reader refuse; the
  // server then still answers (its public routes allow any origin).
  const access = api.permissions.request({ origins: [pattern] }).catch(() => false);
  const granted = await access;
  const answer = await api.runtime.sendMessage({ type: MSG_GIVE_CONSENT, serverUrl: serverInput.value.trim() });
  if (!answer.ok) {
    result.className = "error";
    result.textContent = answer.error.message;
    return;
  }
  showAgreed(answer.settings.serverUrl, granted);
});

document.getElementById("not-now").addEventListener("click", () => {
  result.className = "";
  result.textContent = "Nothing will be sent. You can come back to this page from the healthflags button.";
});

function showAgreed(serverUrl, granted = true) {
  document.getElementById("server-changed").hidden = true;
  result.className = "success";
  result.textContent = `Thank you. healthflags will send page text to ${serverUrl} when you ask it to `
    + "check a page: click the healthflags button in the toolbar and choose “Check this page”."
    + (granted ? "" : " (The browser was not given access to the server; it will be asked as a normal web request.)");
  document.getElementById("agree").textContent = "Agreed";
  document.getElementById("agree").disabled = true;
}

main();
