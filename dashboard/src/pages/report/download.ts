// The report PDF needs the Bearer header, so it is fetched and handed to the browser as a blob.

/** The report's address, only if it is on this site (the token is never sent elsewhere). */
export function sameOriginUrl(reportUrl: string, origin: string): URL | null {
  try {
    const url = new URL(reportUrl, origin);
    return url.origin === origin ? url : null;
  } catch {
    return null;
  }
}

export function reportFileName(ouId: string, month: string): string {
  return `consoleai-${ouId}-${month}.pdf`.replace(/[^A-Za-z0-9._-]/g, "_");
}

export async function downloadReport(
  reportUrl: string,
  token: string,
  fileName: string,
): Promise<{ bytes: number }> {
  const url = sameOriginUrl(reportUrl, window.location.origin);
  if (!url) throw new Error("The report address is not on this site.");
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: "application/pdf" } });
  if (!response.ok) {
    throw new Error(
      response.status === 404
        ? "There is no report for that month."
        : response.status === 401
          ? "Your sign-in is no longer valid. Sign in again."
          : `The report could not be made (${response.status}).`,
    );
  }
  const blob = await response.blob();
  const objectUrl = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
  const link = document.createElement("a");
  link.href = objectUrl;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
  return { bytes: blob.size };
}
