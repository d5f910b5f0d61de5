import { Link } from "react-router";
import { PageTitle } from "../components/PageTitle";

export function NotFoundPage() {
  return (
    <>
      <PageTitle title="Page not found" />
      <p>
        There is no such page. <Link to="/">Back to the summary</Link>.
      </p>
    </>
  );
}
