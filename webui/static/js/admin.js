// A "copy" button beside a secret shown once (a token, a code, a password), where the browser allows it.
// The page works without this file: the secret can be selected and copied by hand.
document.addEventListener("DOMContentLoaded", function () {
  var secret = document.getElementById("secret");
  if (!secret || !navigator.clipboard) {
    return;
  }
  var button = document.createElement("button");
  var status = document.getElementById("copy-status");
  button.type = "button";
  button.textContent = secret.dataset.copyLabel;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(secret.textContent.trim()).then(function () {
      if (status) {
        status.textContent = secret.dataset.copiedLabel;
      }
    });
  });
  secret.parentNode.appendChild(document.createTextNode(" "));
  secret.parentNode.appendChild(button);
});
