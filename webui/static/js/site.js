// After a form was sent and the page came back with its result, take the reader to that result first:
// screen readers read it out and keyboard users start from there. Pages work without this file.
document.addEventListener("DOMContentLoaded", function () {
  var messages = document.getElementById("messages");
  if (messages && messages.textContent.trim() !== "") {
    messages.focus();
  }
});
