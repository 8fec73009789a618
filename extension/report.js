// "Report a missed health claim" (right-click on a selection): the selected passage waits
// in the background's memory and is sent only if the reader presses Send.

const api = globalThis.browser ?? chrome;

const MSG_TAKE_REPORT_DRAFT = "take-report-draft";
const MSG_SEND_REPORT = "send-report";

const $ = (id) => document.getElementById(id);
let tabId = null;

async function main() {
  const draftId = new URLSearchParams(location.search).get("draft");
  if (draftId) {
    const { draft } = await api.runtime.sendMessage({ type: MSG_TAKE_REPORT_DRAFT, draftId });
    if (draft) {
      $("passage").value = draft.passage;
      tabId = draft.tabId;
    }
  }
  $("include-url").disabled = tabId === null;
  $("send").addEventListener("click", send);
}

async function send() {
  const passage = $("passage").value.trim();
  const result = $("result");
  if (!passage) {
    result.className = "error";
    result.textContent = "Write or paste the passage first.";
    return;
  }
  $("send").disabled = true;
  const answer = await api.runtime.sendMessage({
    type: MSG_SEND_REPORT, kind: "missed_claim", passage, tabId,
    includeUrl: $("include-url").checked, comment: $("comment").value,
  });
  $("send").disabled = answer.ok;
  result.className = answer.ok ? "success" : "error";
  result.textContent = answer.ok ? "Thank you: your report was sent to the moderators."
    : `The report could not be sent: ${answer.error.message}`;
}

main();
